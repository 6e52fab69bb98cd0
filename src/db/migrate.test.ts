import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { DatabaseHandle } from './database.js'
import { migratePlatform, migrateTenant, tenantMigrationNames } from './migrate.js'
import { readdirSync } from 'node:fs'

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
