import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { tenantMigrationNames } from '../db/migrate.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { findTenantById } from '../db/tenants.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { schemaShape, type SchemaShape } from '../test-support/schema-catalog.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { withReferenceSchema } from './reference-schema.js'
import { countRoles } from './repair-catalog.js'
import { applyPendingMigrations, recreateTenantSchema, reseedTenantRoles } from './repair.js'

// The pipeline's idempotent steps as repairs (issue 11 item 3): recreate a missing schema, apply
// pending migrations, re-seed roles — audited, the tenant's status and members untouched.

const t = useTestDatabase()
const context = { actor: null, requestId: 'test' }
const options = { migrationDirs: [] }
let reference: SchemaShape

beforeAll(async () => {
  reference = await withReferenceSchema(t.db, [], (ref) => schemaShape(t.db, ref))
})

async function tenantWith(fault: string) {
  const tenant = await createTenant(t.db)
  const schema = tenantSchemaName(tenant.slug)
  // One statement per query: Citus refuses multi-statement DDL on a distributed schema
  // (citusdata/citus#6608), and onboarding distributes every tenant schema there.
  for (const statement of fault.replaceAll('{s}', schema).split(';')) {
    await sql.raw(statement).execute(t.db)
  }
  return { tenant, schema }
}

const memberships = async (tenantId: string) =>
  (await t.db.selectFrom('memberships').selectAll().where('tenant_id', '=', tenantId).execute())
    .length

describe('recreateTenantSchema', () => {
  it('rebuilds a dropped schema as the migrations make it, roles seeded, no second admin', async () => {
    const { tenant, schema } = await tenantWith('drop schema {s} cascade')
    const result = await recreateTenantSchema(t.db, context, tenant.id, options)
    expect(result).toEqual({ ok: true, applied: await tenantMigrationNames() })
    expect(await schemaShape(t.db, schema)).toEqual(reference)
    expect((await countRoles(t.db, schema)).roles).toBeGreaterThan(0)
    expect(await memberships(tenant.id)).toBe(1)
    expect((await findTenantById(t.db, tenant.id))?.status).toBe('active')
    const entry = (await auditEntries(t.db, 'fleet.repair.recreate_schema')).at(-1)!
    expect(entry.before).toMatchObject({ schema, present: false })
    expect(entry.after).toMatchObject({ schema, present: true, status: 'active' })
  })

  it('refuses when the schema is there, changing nothing', async () => {
    const { tenant } = await tenantWith('select 1')
    const audits = (await auditEntries(t.db, 'fleet.repair.recreate_schema')).length
    const result = await recreateTenantSchema(t.db, context, tenant.id, options)
    expect(result).toEqual({ ok: false, reason: 'schema_present' })
    expect(await auditEntries(t.db, 'fleet.repair.recreate_schema')).toHaveLength(audits)
  })
})

describe('applyPendingMigrations', () => {
  it('applies what the schema lacks and audits the names', async () => {
    const { tenant, schema } = await tenantWith(
      'drop table {s}.roles cascade; drop table {s}.role_permissions; drop table {s}.attachments; drop table {s}.audit_log; delete from {s}.kysely_migration',
    )
    const result = await applyPendingMigrations(t.db, context, tenant.id, options)
    expect(result).toEqual({ ok: true, applied: await tenantMigrationNames() })
    expect(await schemaShape(t.db, schema)).toEqual(reference)
    const entry = (await auditEntries(t.db, 'fleet.repair.migrate')).at(-1)!
    expect(entry.before).toEqual({ applied: [] })
    expect(entry.after).toEqual({ appliedNow: await tenantMigrationNames() })
  })

  it('audits a failing migration and leaves the schema as it was', async () => {
    const { tenant, schema } = await tenantWith('delete from {s}.kysely_migration')
    const before = await schemaShape(t.db, schema)
    const result = await applyPendingMigrations(t.db, context, tenant.id, options)
    expect(result).toMatchObject({
      ok: false,
      reason: 'failed',
      error: expect.stringContaining('already exists'),
    })
    expect(await schemaShape(t.db, schema)).toEqual(before)
    const entry = (await auditEntries(t.db, 'fleet.repair.migrate')).at(-1)!
    expect(entry.tenant_id).toBe(tenant.id)
    expect(entry.after).toMatchObject({ failed: true })
  })
})

describe('reseedTenantRoles', () => {
  it('puts back deleted roles and permissions and audits the counts', async () => {
    const { tenant, schema } = await tenantWith('select 1')
    const full = await countRoles(t.db, schema)
    await sql.raw(`delete from ${schema}.roles where name = 'admin'`).execute(t.db)
    const result = await reseedTenantRoles(t.db, context, tenant.id)
    expect(result.ok).toBe(true)
    expect(await countRoles(t.db, schema)).toEqual(full)
    const entry = (await auditEntries(t.db, 'fleet.repair.roles')).at(-1)!
    expect(entry.after).toEqual(full)
    expect((entry.before as { roles: number }).roles).toBe(full.roles - 1)
  })

  it('refuses a tenant whose schema is missing', async () => {
    const { tenant } = await tenantWith('drop schema {s} cascade')
    expect(await reseedTenantRoles(t.db, context, tenant.id)).toEqual({
      ok: false,
      reason: 'schema_missing',
    })
  })
})
