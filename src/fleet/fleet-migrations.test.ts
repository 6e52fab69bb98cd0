import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { tenantMigrationNames } from '../db/migrate.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { createTenant } from '../test-support/factories.js'
import {
  ADD_COLUMN_AND_INDEX,
  catalogSnapshot,
  tenantMigrationFolder,
} from '../test-support/tenant-migrations.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { buildPendingReport } from './fleet-migrations.js'
import { dryRunMigrations, SCHEMA_PLACEHOLDER } from './migration-dry-run.js'

const t = useTestDatabase()
const folder = tenantMigrationFolder({ '2030010100_checksum': ADD_COLUMN_AND_INDEX })
afterAll(() => folder.remove())

async function setStatus(id: string, status: string): Promise<void> {
  await sql`update tenants set status = ${status} where id = ${id}`.execute(t.db)
}

describe('the pending report', () => {
  it('shows a new migration in an extra folder pending on every live tenant, suspended included', async () => {
    await createTenant(t.db, { slug: 'pend-active' })
    const suspended = await createTenant(t.db, { slug: 'pend-suspended' })
    await setStatus(suspended.id, 'suspended')
    const failed = await createTenant(t.db, { slug: 'pend-failed' })
    await setStatus(failed.id, 'failed')
    const deleted = await createTenant(t.db, { slug: 'pend-deleted' })
    await setStatus(deleted.id, 'deleted')
    await sql`drop schema ${sql.id(tenantSchemaName('pend-active'))} cascade`.execute(t.db)
    await createTenant(t.db, { slug: 'pend-fine' })

    const report = await buildPendingReport(t.database, [folder.dir])

    expect(report.tenants.map((x) => [x.slug, x.pending])).toEqual([
      ['pend-suspended', ['2030010100_checksum']],
      ['pend-fine', ['2030010100_checksum']],
    ])
    expect(report.migrations.at(-1)).toEqual({ name: '2030010100_checksum', tenants: 2 })
    expect(report.skipped.map((x) => [x.slug, x.reason])).toEqual([
      ['pend-failed', 'onboarding failed: retry it or repair the tenant first'],
      ['pend-active', 'schema tenant_pend_active is missing: repair the tenant first'],
    ])
    expect(report.skipped.map((x) => x.id)).not.toContain(deleted.id)
    const plain = await buildPendingReport(t.database, [])
    expect(plain.tenants).toEqual([])
    expect(plain.upToDate).toBe(2)
    expect(plain.migrations.map((m) => m.name)).toEqual(await tenantMigrationNames())
  })
})

describe('the dry-run', () => {
  it('lists the SQL of each pending migration with the schema as a placeholder', async () => {
    const report = await buildPendingReport(t.database, [folder.dir])
    const dry = await dryRunMigrations(report, [folder.dir])

    expect(dry.migrations).toEqual([
      {
        name: '2030010100_checksum',
        tenants: 2,
        statements: [
          `alter table "${SCHEMA_PLACEHOLDER}"."attachments" add column "checksum" text`,
          `create index "attachments_checksum_idx" on "${SCHEMA_PLACEHOLDER}"."attachments" ("checksum")`,
        ],
        note: null,
      },
    ])
  })

  it('changes nothing: the catalog of every tenant schema and every kysely_migration are as before', async () => {
    const before = await catalogSnapshot(t.db)

    await dryRunMigrations(await buildPendingReport(t.database, [folder.dir]), [folder.dir])

    expect(await catalogSnapshot(t.db)).toEqual(before)
    expect(before).toContain('tenant_pend_fine: 2026112100_baseline')
  })

  it('says when a migration reads data, so its SQL depends on each tenant', async () => {
    const reading = tenantMigrationFolder({
      '2030020100_backfill': `export async function up(db) {
  const rows = await db.selectFrom('roles').select('id').execute()
  for (const r of rows) await db.updateTable('roles').set({ description: 'x' }).where('id', '=', r.id).execute()
}
`,
    })
    try {
      const report = await buildPendingReport(t.database, [reading.dir])
      const [m] = (await dryRunMigrations(report, [reading.dir])).migrations

      expect(m.note).toMatch(/^reads data/)
      expect(m.statements).toEqual([`select "id" from "${SCHEMA_PLACEHOLDER}"."roles"`])
    } finally {
      reading.remove()
    }
  })
})
