import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { DatabaseHandle } from './database.js'
import { migratePlatform, migrateTenant, tenantMigrationNames } from './migrate.js'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

async function platformMigrationNames(): Promise<string[]> {
  return readdirSync(new URL('../../migrations/platform', import.meta.url))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort()
}
import { openTestDatabase } from './test-database.js'

let handle: DatabaseHandle
let racedRuns: string[][]

// The file's one database is migrated by two runs started at once (the race the first test
// checks), rather than opening a second database just for it: a database start is most of this
// file's time (9–21 s on a loaded machine, against a 30 s test timeout).
beforeAll(async () => {
  handle = await openTestDatabase({ migrate: false })
  // On a server the pool has several connections, so the two runs really race.
  racedRuns = await Promise.all([migratePlatform(handle.db), migratePlatform(handle.db)])
})
afterAll(() => handle.close())

describe('migrations', () => {
  it('platform migrations started twice at once apply each migration exactly once', async () => {
    expect(racedRuns.flat().sort()).toEqual(await platformMigrationNames())
    const { rows } = await sql<{
      n: number
    }>`select count(*)::int as n from kysely_migration`.execute(handle.db)
    expect(rows[0].n).toBe((await platformMigrationNames()).length)
    expect(await migratePlatform(handle.db)).toEqual([])
  })

  it('a tenant schema gets the baseline tables and its own migration table, idempotently', async () => {
    await sql`create schema tenant_migrate_probe`.execute(handle.db)
    expect(await migrateTenant(handle.db, 'tenant_migrate_probe')).toEqual(
      await tenantMigrationNames(),
    )
    expect(await migrateTenant(handle.db, 'tenant_migrate_probe')).toEqual([])
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'tenant_migrate_probe' order by table_name`.execute(handle.db)
    expect(rows.map((r) => r.table_name)).toEqual([
      'attachments',
      'audit_log',
      'kysely_migration',
      'role_permissions',
      'roles',
    ])
  })

  it('a failing tenant migration names itself and leaves nothing half-applied', async () => {
    await sql`create schema tenant_migrate_clash`.execute(handle.db)
    await sql`create table tenant_migrate_clash.roles (id text)`.execute(handle.db)
    await expect(migrateTenant(handle.db, 'tenant_migrate_clash')).rejects.toThrow(
      /2026112100_baseline/,
    )
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'tenant_migrate_clash' and table_name in ('audit_log', 'attachments')`.execute(
      handle.db,
    )
    expect(rows).toEqual([])
  })
})

const exampleMigrations = fileURLToPath(
  new URL('../../examples/tenant-app/migrations', import.meta.url),
)

/** A folder of tenant migrations; each creates a table named after its file. */
function migrationFolder(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-tenant-migrations-'))
  for (const name of names)
    writeFileSync(
      join(dir, `${name}.ts`),
      `export async function up(db) {\n` +
        `  await db.schema.createTable('t_${name}').addColumn('id', 'integer').execute()\n}\n`,
    )
  return dir
}

async function tablesOf(schema: string): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = ${schema} order by table_name`.execute(handle.db)
  return rows.map((r) => r.table_name)
}

describe('tenant migration folders (TENANT_MIGRATION_DIRS)', () => {
  it("applies an app's folder with migrations/tenant, all in file name order, in one table", async () => {
    const extra = migrationFolder(['2030010100_first', '2026112000_before_baseline'])
    try {
      await sql`create schema tenant_migrate_apps`.execute(handle.db)
      const dirs = [exampleMigrations, extra]

      const applied = await migrateTenant(handle.db, 'tenant_migrate_apps', dirs)

      expect(applied).toEqual([
        '2026112000_before_baseline',
        '2026112100_baseline',
        '2026120100_notes_board',
        '2026120200_drawings',
        '2030010100_first',
      ])
      expect(await tenantMigrationNames(dirs)).toEqual(applied)
      expect(await tablesOf('tenant_migrate_apps')).toEqual(
        expect.arrayContaining(['credentials', 'notes', 't_2030010100_first', 'audit_log']),
      )
      expect(await migrateTenant(handle.db, 'tenant_migrate_apps', dirs)).toEqual([])
    } finally {
      rmSync(extra, { recursive: true, force: true })
    }
  })

  it('adds only the new folder’s migrations to a tenant migrated before it was configured', async () => {
    await sql`create schema tenant_migrate_later`.execute(handle.db)
    await migrateTenant(handle.db, 'tenant_migrate_later')

    expect(await migrateTenant(handle.db, 'tenant_migrate_later', [exampleMigrations])).toEqual([
      '2026120100_notes_board',
      '2026120200_drawings',
    ])
  })

  it('leaves existing tenants as they were when no folder is configured', async () => {
    await sql`create schema tenant_migrate_plain`.execute(handle.db)
    await migrateTenant(handle.db, 'tenant_migrate_plain', [])

    expect(await tenantMigrationNames([])).toEqual(await tenantMigrationNames())
    expect(await tenantMigrationNames()).not.toContain('2026120100_notes_board')
    expect(await migrateTenant(handle.db, 'tenant_migrate_plain')).toEqual([])
    expect(await tablesOf('tenant_migrate_plain')).not.toContain('credentials')
  })

  it('refuses a file name that is in two folders before migrating anything', async () => {
    const [a, b] = [migrationFolder(['2030010100_same']), migrationFolder(['2030010100_same'])]
    try {
      await sql`create schema tenant_migrate_twice`.execute(handle.db)
      await expect(migrateTenant(handle.db, 'tenant_migrate_twice', [a, b])).rejects.toThrow(
        `tenant migration 2030010100_same is in two folders (${a} and ${b}): rename one`,
      )
      expect(await tablesOf('tenant_migrate_twice')).toEqual([])
    } finally {
      for (const dir of [a, b]) rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a start with nothing pending', () => {
  it('applies nothing and never runs Kysely’s Migrator, which reads the whole catalog', async () => {
    const { Migrator } = await import('kysely')
    const migrator = vi.spyOn(Migrator.prototype, 'migrateToLatest')
    try {
      expect(await migratePlatform(handle.db)).toEqual([])
      expect(migrator).not.toHaveBeenCalled()
    } finally {
      migrator.mockRestore()
    }
  })

  // On the file's own database (the last test here), not a second one opened for it: a database
  // start took 18 s of this test on a loaded machine, against a 30 s timeout.
  it('still runs the Migrator when one platform migration is missing from the table', async () => {
    const { Migrator } = await import('kysely')
    const migrator = vi.spyOn(Migrator.prototype, 'migrateToLatest')
    try {
      const names = await platformMigrationNames()
      const last = names[names.length - 1]
      const migration = await import(`../../migrations/platform/${last}.ts`)
      await migration.down(handle.db)
      await sql`delete from kysely_migration where name = ${last}`.execute(handle.db)
      expect(await migratePlatform(handle.db)).toEqual([last])
      expect(migrator).toHaveBeenCalledTimes(1)
    } finally {
      migrator.mockRestore()
    }
  })
})
