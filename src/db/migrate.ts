import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations')
const loaded = new Map<string, Promise<Record<string, Migration>>>()

/** Loads `migrations/<folder>/*.ts` once per process; files sort by their timestamp names. */
function folderProvider(folder: 'platform' | 'tenant'): MigrationProvider {
  return {
    getMigrations() {
      if (!loaded.has(folder)) loaded.set(folder, importFolder(join(root, folder)))
      return loaded.get(folder)!
    },
  }
}

async function importFolder(dir: string): Promise<Record<string, Migration>> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
  const entries = await Promise.all(
    files.map(async (f) => [f.replace(/\.(ts|js)$/, ''), await import(pathToFileURL(join(dir, f)).href)]),
  )
  return Object.fromEntries(entries)
}

async function runMigrator(migrator: Migrator, what: string): Promise<string[]> {
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new Error(`${what} migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`)
  }
  return (results ?? []).map((r) => r.migrationName)
}

/**
 * Applies `migrations/platform/*` to `public`. Kysely's Postgres adapter holds a
 * transaction-level advisory lock while it migrates, so two instances starting together apply
 * each migration once. Returns the names applied now ([] when up to date).
 * @throws Error naming the failing migration; that migration's transaction is rolled back.
 */
export function migratePlatform(db: Kysely<any>): Promise<string[]> {
  return runMigrator(new Migrator({ db, provider: folderProvider('platform') }), 'platform')
}

/**
 * Applies `migrations/tenant/*` inside the tenant schema `schema` (which must exist), tracked in
 * that schema's own `kysely_migration` table. Idempotent. Returns the names applied now.
 * @throws Error naming the failing migration.
 */
export function migrateTenant(db: Kysely<any>, schema: string): Promise<string[]> {
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: folderProvider('tenant'),
    migrationTableSchema: schema,
  })
  return runMigrator(migrator, `tenant ${schema}`)
}

/** Names of all tenant migrations, in order: what a fully migrated tenant schema has applied. */
export async function tenantMigrationNames(): Promise<string[]> {
  return Object.keys(await folderProvider('tenant').getMigrations()).sort()
}
