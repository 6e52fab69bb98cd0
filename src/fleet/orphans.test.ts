import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { listOnboardingStepRows } from '../db/onboarding.js'
import { findTenantBySlug } from '../db/tenants.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant, newTenantFields, uniqueSuffix } from '../test-support/factories.js'
import { schemaShape, type SchemaShape } from '../test-support/schema-catalog.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { adoptOrphanSchema, dropOrphanSchema } from './orphans.js'
import { schemaExists } from './repair-catalog.js'
import { withReferenceSchema } from './reference-schema.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { migrateTenant } from '../db/migrate.js'

// Orphan schemas (issue 11 item 3): adopted as a new tenant through the pipeline, or dropped
// after their name is typed — never while a tenant row owns them.

const t = useTestDatabase()
const context = { actor: null, requestId: 'test' }
let reference: SchemaShape

beforeAll(async () => {
  reference = await withReferenceSchema(t.db, [], (ref) => schemaShape(t.db, ref))
})

/** An orphan `tenant_o<suffix>_x`, migrated, with one attachment row. */
async function orphan(): Promise<string> {
  const schema = `tenant_o${uniqueSuffix()}_x`
  await sql`create schema ${sql.id(schema)}`.execute(t.db)
  await migrateTenant(t.db, schema)
  await sql
    .raw(`insert into ${schema}.attachments (file_name, content_type) values ('a', 'b')`)
    .execute(t.db)
  return schema
}

function adoption() {
  const { name, planId, billingEmail, firstAdminEmail, firstAdminName } = newTenantFields()
  return { name, planId, billingEmail, firstAdminEmail, firstAdminName }
}

describe('adoptOrphanSchema', () => {
  it('makes the orphan an active tenant with its rows, roles and first admin', async () => {
    const schema = await orphan()
    const result = await adoptOrphanSchema(t.db, context, schema, adoption(), { migrationDirs: [] })
    expect(result).toMatchObject({ ok: true, onboarding: { ok: true } })
    const slug = schema.slice('tenant_'.length).replace(/_/g, '-')
    const tenant = (await findTenantBySlug(t.db, slug))!
    expect(tenant.status).toBe('active')
    expect(await schemaShape(t.db, schema)).toEqual(reference)
    const { rows } = await sql
      .raw(`select count(*)::int as n from ${schema}.attachments`)
      .execute(t.db)
    expect(rows).toEqual([{ n: 1 }])
    const steps = await listOnboardingStepRows(t.db, tenant.id)
    expect(steps.every((s) => s.status === 'done')).toBe(true)
    const entry = (await auditEntries(t.db, 'fleet.repair.adopt')).at(-1)!
    expect(entry).toMatchObject({ target_id: schema, tenant_id: tenant.id })
    expect(entry.before).toMatchObject({ orphan: true, tables: 5 })
  })

  it('refuses a schema a tenant already owns, and an unknown plan, changing nothing', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    const options = { migrationDirs: [] }
    expect(await adoptOrphanSchema(t.db, context, schema, adoption(), options)).toEqual({
      ok: false,
      reason: 'slug_taken',
    })
    const other = await orphan()
    const noPlan = { ...adoption(), planId: 'nope' }
    expect(await adoptOrphanSchema(t.db, context, other, noPlan, options)).toEqual({
      ok: false,
      reason: 'plan_unavailable',
    })
    expect(await findTenantBySlug(t.db, other.slice(7).replace(/_/g, '-'))).toBeUndefined()
  })
})

describe('dropOrphanSchema', () => {
  it('drops the orphan once its name is typed, audited with its tables and size', async () => {
    const schema = await orphan()
    const wrong = await dropOrphanSchema(t.db, context, schema, schema.toUpperCase())
    expect(wrong).toEqual({ ok: false, reason: 'name_mismatch' })
    expect(await schemaExists(t.db, schema)).toBe(true)

    const result = await dropOrphanSchema(t.db, context, schema, schema)

    expect(result).toMatchObject({ ok: true, tables: 5 })
    expect(await schemaExists(t.db, schema)).toBe(false)
    const entry = (await auditEntries(t.db, 'fleet.repair.drop_orphan')).at(-1)!
    expect(entry.before).toMatchObject({ schema, tables: 5, bytes: expect.any(Number) })
  })

  it('refuses to drop a schema a tenant row owns', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    expect(await dropOrphanSchema(t.db, context, schema, schema)).toEqual({
      ok: false,
      reason: 'owned',
    })
    expect(await schemaExists(t.db, schema)).toBe(true)
  })
})
