import { readdirSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations')
const tenantRoot = join(root, 'tenant')
const loaded = new Map<string, Promise<Record<string, Migration>>>()

/** Loads `migrations/platform/*.ts` once per process; files sort by their timestamp names. */
function folderProvider(folder: 'platform'): MigrationProvider {
  return {
    getMigrations() {
      if (!loaded.has(folder)) loaded.set(folder, importFolder(join(root, folder)))
      return loaded.get(folder)!
    },
  }
}

const isMigrationFile = (f: string) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')
const migrationName = (f: string) => f.replace(/\.(ts|js)$/, '')

async function importFolder(dir: string): Promise<Record<string, Migration>> {
  const files = (await readdir(dir)).filter(isMigrationFile)
  const entries = await Promise.all(
    files.map(async (f) => [migrationName(f), await import(pathToFileURL(join(dir, f)).href)]),
  )
  return Object.fromEntries(entries)
}

async function runMigrator(migrator: Migrator, what: string): Promise<string[]> {
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new Error(
      `${what} migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`,
    )
  }
  return (results ?? []).map((r) => r.migrationName)
}

/**
 * Applies `migrations/platform/*` to `public`. Kysely's Postgres adapter holds a
 * transaction-level advisory lock while it migrates, so two instances starting together apply
 * each migration once. Returns the names applied now ([] when up to date).
 * @throws Error naming the failing migration; that migration's transaction is rolled back.
 */
export async function migratePlatform(db: Kysely<any>): Promise<string[]> {
  if (await platformUpToDate(db)) return []
  return runMigrator(new Migrator({ db, provider: folderProvider('platform') }), 'platform')
}

/**
 * True when `public.kysely_migration` lists every platform migration file: two index lookups,
 * where Kysely's Migrator would first read the whole catalog (1.0–1.3 s at 2,000 tenant schemas,
 * on every start and CLI run). Anything missing, or the table itself, goes to the Migrator.
 */
async function platformUpToDate(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{
    present: boolean
  }>`select to_regclass('public.kysely_migration') is not null as present`.execute(db)
  if (!rows[0]?.present) return false
  const names = Object.keys(await folderProvider('platform').getMigrations())
  const { rows: applied } = await sql<{ n: number }>`
    select count(*)::int as n from public.kysely_migration where name = any(${names})`.execute(db)
  return applied[0].n === names.length
}

/** A tenant migration file with the same name in two folders: which one would run is unclear. */
export class DuplicateTenantMigrationError extends Error {}

/**
 * The tenant migration files: `migrations/tenant/*` and then those of `extraDirs` (absolute
 * folders, TENANT_MIGRATION_DIRS), as name (file name without .ts/.js) → absolute path, sorted by
 * name. Reads the folders synchronously, so the configuration can check them at start.
 * @throws DuplicateTenantMigrationError (one line naming both files) when a name is in two folders
 * @throws the fs error when a folder cannot be read
 */
export function listTenantMigrationFiles(extraDirs: readonly string[] = []): Map<string, string> {
  const files = new Map<string, string>()
  for (const dir of [tenantRoot, ...extraDirs]) {
    for (const file of readdirSync(dir).filter(isMigrationFile).sort()) {
      const name = migrationName(file)
      const other = files.get(name)
      if (other)
        throw new DuplicateTenantMigrationError(
          `tenant migration ${name} is in two folders (${dirname(other)} and ${dir}): rename one`,
        )
      files.set(name, join(dir, file))
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

const tenantLoaded = new Map<string, Promise<Record<string, Migration>>>()

/**
 * The tenant migrations of `migrations/tenant` and `extraDirs`, imported once per process:
 * name → module (`up`, `down`).
 * @throws as listTenantMigrationFiles; the import error of a file that does not load
 */
export function loadTenantMigrations(
  extraDirs: readonly string[],
): Promise<Record<string, Migration>> {
  const key = extraDirs.join('\n')
  if (!tenantLoaded.has(key)) {
    const files = listTenantMigrationFiles(extraDirs)
    tenantLoaded.set(
      key,
      Promise.all(
        [...files].map(async ([name, file]) => [name, await import(pathToFileURL(file).href)]),
      ).then(Object.fromEntries),
    )
  }
  return tenantLoaded.get(key)!
}

/**
 * Applies `migrations/tenant/*` and the migrations of `extraDirs` (TENANT_MIGRATION_DIRS, absolute
 * folders; a tenant app's own tables) inside the tenant schema `schema` (which must exist), all in
 * one run sorted by file name (timestamps: an app's migration names itself after the baseline it
 * builds on), tracked in that schema's own `kysely_migration` table (Kysely's shape, so Kysely
 * tools read it). One transaction per call under an advisory lock of that schema only: tenants
 * migrate in parallel, and a failure leaves the schema as it was. Not Kysely's Migrator: it
 * introspects every table of the database on each run, which grows with the square of the tenant
 * count (~90 ms per call at 1,100 schemas; the 2,000-tenant seed took 12 min with it and 64 s
 * without). To write more (an audit entry) in the same transaction, use `applyTenantMigrations`.
 * @returns the names applied now ([] when up to date)
 * @throws Error naming the failing migration
 */
export async function migrateTenant(
  db: Kysely<any>,
  schema: string,
  extraDirs: readonly string[] = [],
): Promise<string[]> {
  return db
    .transaction()
    .execute(async (trx) => (await applyTenantMigrations(trx, schema, extraDirs)).applied)
}

/** What `applyTenantMigrations` found and did: migration names, in order. */
export type TenantMigrationOutcome = { previously: string[]; applied: string[] }

/**
 * `migrateTenant`'s work inside the caller's transaction `trx` (issue 11 item 4: the fleet
 * migration writes its `tenant.migrate` audit entry in the same transaction): takes the schema's
 * transaction-level advisory lock, creates its `kysely_migration` table when missing, applies
 * what is pending. The caller commits or rolls back everything together.
 * @returns the names applied before this call and the names applied now
 * @throws Error naming the failing migration (roll the transaction back); Error when `trx` is
 *   not a transaction
 */
export async function applyTenantMigrations(
  trx: Kysely<any>,
  schema: string,
  extraDirs: readonly string[] = [],
): Promise<TenantMigrationOutcome> {
  if (!trx.isTransaction) throw new Error('applyTenantMigrations must run inside a transaction')
  const migrations = await loadTenantMigrations(extraDirs)
  await sql`select pg_advisory_xact_lock(hashtext(${'fleetdeck.tenant.' + schema}))`.execute(trx)
  const tdb = trx.withSchema(schema)
  await tdb.schema
    .createTable('kysely_migration')
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
    .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
    .execute()
  const previously = (
    await tdb.selectFrom('kysely_migration').select('name').orderBy('name').execute()
  ).map((r) => r.name as string)
  const pending = Object.keys(migrations)
    .sort()
    .filter((name) => !previously.includes(name))
  for (const name of pending) {
    try {
      await migrations[name].up(tdb)
    } catch (error) {
      throw new Error(
        `tenant ${schema} migration ${name} failed: ${(error as Error).message ?? error}`,
      )
    }
    await tdb
      .insertInto('kysely_migration')
      .values({ name, timestamp: new Date().toISOString() })
      .execute()
  }
  return { previously, applied: pending }
}

/**
 * Names of all tenant migrations (`migrations/tenant` and `extraDirs`), in order: what a fully
 * migrated tenant schema has applied.
 */
export async function tenantMigrationNames(extraDirs: readonly string[] = []): Promise<string[]> {
  return [...listTenantMigrationFiles(extraDirs).keys()]
}
