import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { migrateTenant, tenantMigrationNames } from '../db/migrate.js'
import { appendTenantAuditEntries, listTenantAuditEntries } from '../db/tenant-audit-log.js'
import { countSchemaTables, createTenantSchema, tenantSchemaName } from '../db/tenant-schema.js'
import { openTestDatabase } from '../db/test-database.js'
import { tenantSchemaStatus } from './schema-status.js'

let handle: DatabaseHandle

beforeAll(async () => {
  handle = await openTestDatabase()
})

afterAll(() => handle?.close())

describe('tenantSchemaStatus', () => {
  it('a missing schema: not there, every tenant migration pending', async () => {
    expect(await tenantSchemaStatus(handle.db, 'nowhere')).toEqual({
      schema: 'tenant_nowhere',
      exists: false,
      applied: [],
      pending: await tenantMigrationNames(),
      tables: 0,
    })
  })

  it('an empty schema exists with no tables and every migration pending', async () => {
    await createTenantSchema(handle.db, 'bare-one')

    expect(await tenantSchemaStatus(handle.db, 'bare-one')).toMatchObject({
      schema: 'tenant_bare_one',
      exists: true,
      applied: [],
      tables: 0,
    })
  })

  it('a migrated schema: its tables counted (not indexes or sequences), nothing pending', async () => {
    await createTenantSchema(handle.db, 'full-one')
    await migrateTenant(handle.db, tenantSchemaName('full-one'))

    const status = await tenantSchemaStatus(handle.db, 'full-one')

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
    await createTenantSchema(handle.db, 'full-one-more')
    await sql`create table ${sql.table('tenant_full_one_more.extra')} (id int)`.execute(handle.db)

    expect(await countSchemaTables(handle.db, 'tenant_full_one_more')).toBe(1)
    expect(await countSchemaTables(handle.db, 'tenant_full_one')).toBe(5)
    expect(await countSchemaTables(handle.db, 'tenant_absent')).toBeUndefined()
  })
})

describe("a tenant's own audit log", () => {
  it('keeps entries in the tenant schema and reads them newest first', async () => {
    await appendTenantAuditEntries(handle.db, 'full-one', [
      { actor: 'platform', action: 'member.added', details: { email: 'a@example.com' } },
      { actor: 'seed', action: 'member.added' },
    ])

    const entries = await listTenantAuditEntries(handle.db, 'full-one')

    expect(entries.map((e) => [e.actor, e.action, e.details])).toEqual([
      ['seed', 'member.added', {}],
      ['platform', 'member.added', { email: 'a@example.com' }],
    ])
    expect(entries[0].createdAt).toBeInstanceOf(Date)
    expect(await listTenantAuditEntries(handle.db, 'full-one-more').catch(() => 'missing')).toBe(
      'missing',
    )
  })
})
