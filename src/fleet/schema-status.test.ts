import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrateTenant, tenantMigrationNames } from '../db/migrate.js'
import { appendTenantAuditEntries, listTenantAuditEntries } from '../db/tenant-audit-log.js'
import { countSchemaTables, createTenantSchema, tenantSchemaName } from '../db/tenant-schema.js'
import { tenantSchemaStatus } from './schema-status.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

describe('tenantSchemaStatus', () => {
  it('a missing schema: not there, every tenant migration pending', async () => {
    expect(await tenantSchemaStatus(t.db, 'nowhere')).toEqual({
      schema: 'tenant_nowhere',
      exists: false,
      applied: [],
      pending: await tenantMigrationNames(),
      tables: 0,
    })
  })

  it('an empty schema exists with no tables and every migration pending', async () => {
    await createTenantSchema(t.db, 'bare-one')

    expect(await tenantSchemaStatus(t.db, 'bare-one')).toMatchObject({
      schema: 'tenant_bare_one',
      exists: true,
      applied: [],
      tables: 0,
    })
  })

  it('a migrated schema: its tables counted (not indexes or sequences), nothing pending', async () => {
    await createTenantSchema(t.db, 'full-one')
    await migrateTenant(t.db, tenantSchemaName('full-one'))

    const status = await tenantSchemaStatus(t.db, 'full-one')

    // audit_log, attachments, roles, role_permissions and the migration table itself.
    expect(status).toEqual({
      schema: 'tenant_full_one',
      exists: true,
      applied: await tenantMigrationNames(),
      pending: [],
      tables: 5,
    })
  })

  it('counts only the named schema, not one whose name it is a prefix of', async () => {
    await createTenantSchema(t.db, 'full-one-more')
    await sql`create table ${sql.table('tenant_full_one_more.extra')} (id int)`.execute(t.db)

    expect(await countSchemaTables(t.db, 'tenant_full_one_more')).toBe(1)
    expect(await countSchemaTables(t.db, 'tenant_full_one')).toBe(5)
    expect(await countSchemaTables(t.db, 'tenant_absent')).toBeUndefined()
  })
})

describe('tenantSchemaStatus with tenant migration folders', () => {
  const exampleMigrations = fileURLToPath(
    new URL('../../examples/tenant-app/migrations', import.meta.url),
  )

  it("counts an app's migrations as pending in a schema migrated before they were configured", async () => {
    await createTenantSchema(t.db, 'app-later')
    await migrateTenant(t.db, tenantSchemaName('app-later'))

    const before = await tenantSchemaStatus(t.db, 'app-later', [exampleMigrations])
    expect(before.pending).toEqual(['2026120100_notes_board', '2026120200_drawings'])
    expect((await tenantSchemaStatus(t.db, 'app-later')).pending).toEqual([])

    await migrateTenant(t.db, tenantSchemaName('app-later'), [exampleMigrations])
    const after = await tenantSchemaStatus(t.db, 'app-later', [exampleMigrations])
    expect(after.applied).toEqual(await tenantMigrationNames([exampleMigrations]))
    expect(after.pending).toEqual([])
  })
})

describe("a tenant's own audit log", () => {
  it('keeps entries in the tenant schema and reads them newest first', async () => {
    await appendTenantAuditEntries(t.db, 'full-one', [
      { actor: 'platform', action: 'member.added', details: { email: 'a@example.com' } },
      { actor: 'seed', action: 'member.added' },
    ])

    const entries = await listTenantAuditEntries(t.db, 'full-one')

    expect(entries.map((e) => [e.actor, e.action, e.details])).toEqual([
      ['seed', 'member.added', {}],
      ['platform', 'member.added', { email: 'a@example.com' }],
    ])
    expect(entries[0].createdAt).toBeInstanceOf(Date)
    expect(await listTenantAuditEntries(t.db, 'full-one-more').catch(() => 'missing')).toBe(
      'missing',
    )
  })
})
