import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OperatorRole } from '../../db/schema.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { findTenantById } from '../../db/tenants.js'
import { schemaExists, readColumn } from '../../fleet/repair-catalog.js'
import { checkSchemaNow } from '../../fleet/schema-state.js'
import { auditEntries, countRows } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import { fieldError } from '../../test-support/html.js'
import { cookieOfRole, followWithFlash } from '../../test-support/plan-scenes.js'
import { send } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

// /fleet/schemas/:schema (issue 11 item 3): the page, repairs, and their permissions.

const t = useTestApp()
const cookies: Partial<Record<OperatorRole, string>> = {}

beforeAll(async () => {
  for (const role of ['owner', 'operator', 'viewer'] as const)
    cookies[role] = await cookieOfRole(t.db, t.config, role, new Date(t.clock.now()))
})

/** A tenant whose attachments.file_size was dropped, checked so its finding is stored. */
async function driftedTenant() {
  const tenant = await createTenant(t.db)
  const schema = tenantSchemaName(tenant.slug)
  await sql.raw(`alter table ${schema}.attachments drop column file_size`).execute(t.db)
  await checkSchemaNow(t.db, t.config, schema, tenant)
  return { tenant, schema }
}

describe('the schema page and its repairs', () => {
  it('shows the dropped column with its repair, and repairing it re-checks the tenant healthy', async () => {
    const { tenant, schema } = await driftedTenant()
    const page = await send(t.app, 'GET', `/fleet/schemas/${schema}`, { cookie: cookies.viewer })
    const html = await page.text()
    expect(page.status).toBe(200)
    expect(html).toContain('column attachments.file_size is missing')
    expect(html).not.toContain('Repair everything that is loss-free')

    const fields = { repair: 'finding', finding: 'missing_column:attachments:file_size' }
    const res = await send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
      fields,
      cookie: cookies.operator,
    })

    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookies.operator!)).toContain(
      'The schema is now healthy.',
    )
    expect(await readColumn(t.db, schema, 'attachments', 'file_size')).toMatchObject({
      type: 'bigint',
    })
    expect((await findTenantById(t.db, tenant.id))?.health).toBe('healthy')
    expect((await auditEntries(t.db, 'fleet.repair.column')).at(-1)?.target_id).toBe(schema)
    const recheck = (await auditEntries(t.db, 'tenant.health_check')).at(-1)!
    expect(recheck.before).toEqual({ health: 'drift' })
    expect(recheck.after).toMatchObject({ health: 'healthy' })
  })

  it('a viewer cannot repair: 403 and the column stays missing', async () => {
    const { schema } = await driftedTenant()
    const res = await send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
      fields: { repair: 'all' },
      cookie: cookies.viewer,
    })
    expect(res.status).toBe(403)
    expect(await readColumn(t.db, schema, 'attachments', 'file_size')).toBeUndefined()
  })

  it('refuses a malformed name (404) and a malformed repair (400), changing nothing', async () => {
    const { schema } = await driftedTenant()
    const audits = await countRows(t.db, 'audit_log')
    const bad = await send(t.app, 'GET', '/fleet/schemas/public', { cookie: cookies.viewer })
    expect(bad.status).toBe(404)
    const quote = await send(t.app, 'POST', `/fleet/schemas/tenant_x%22%3Bdrop/repairs`, {
      fields: { repair: 'all' },
      cookie: cookies.operator,
    })
    expect(quote.status).toBe(404)
    const res = await send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
      fields: { repair: 'drop' },
      cookie: cookies.operator,
    })
    expect(res.status).toBe(400)
    expect(await countRows(t.db, 'audit_log')).toBe(audits)
  })

  it('recreates a missing schema with "Recreate schema"', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    await sql`drop schema ${sql.id(schema)} cascade`.execute(t.db)
    const page = await (
      await send(t.app, 'GET', `/fleet/schemas/${schema}`, { cookie: cookies.operator })
    ).text()
    expect(page).toContain('Recreate schema')
    const res = await send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
      fields: { repair: 'recreate' },
      cookie: cookies.operator,
    })
    expect(res.status).toBe(303)
    expect(await schemaExists(t.db, schema)).toBe(true)
    expect((await findTenantById(t.db, tenant.id))?.health).toBe('healthy')
  })
})

describe('orphans on the schema page', () => {
  const adoption = {
    name: 'Adopted',
    planId: 'free',
    billingEmail: 'billing@example.com',
    firstAdminEmail: 'first@example.com',
    firstAdminName: 'First',
  }

  it('adopting with a bad email is a 422 next to the field and creates nothing', async () => {
    await sql`create schema tenant_route_orphan_a`.execute(t.db)
    const tenants = await countRows(t.db, 'tenants')
    const fields = { ...adoption, billingEmail: 'nope' }
    const res = await send(t.app, 'POST', '/fleet/schemas/tenant_route_orphan_a/adoption', {
      fields,
      cookie: cookies.operator,
    })
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'billingEmail')).toBe('Enter a valid email address.')
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
  })

  it('adopts an orphan as an active tenant', async () => {
    await sql`create schema tenant_route_orphan_b`.execute(t.db)
    const res = await send(t.app, 'POST', '/fleet/schemas/tenant_route_orphan_b/adoption', {
      fields: adoption,
      cookie: cookies.operator,
    })
    expect(res.status).toBe(303)
    const tenant = await t.db
      .selectFrom('tenants')
      .selectAll()
      .where('slug', '=', 'route-orphan-b')
      .executeTakeFirstOrThrow()
    expect(tenant.status).toBe('active')
    expect(tenant.health).toBe('healthy')
    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}`)
  })

  it('dropping needs owner or admin, step-up and the exact name', async () => {
    await sql`create schema tenant_route_orphan_c`.execute(t.db)
    const path = '/fleet/schemas/tenant_route_orphan_c'
    const typed = { confirmName: 'tenant_route_orphan_c' }
    expect(
      (await send(t.app, 'DELETE', path, { fields: typed, cookie: cookies.operator })).status,
    ).toBe(403)
    const stale = await cookieOfRole(t.db, t.config, 'owner', new Date(t.clock.now() - 11 * 60_000))
    const stepUp = await send(t.app, 'DELETE', path, { fields: typed, cookie: stale })
    expect(stepUp.headers.get('location')).toMatch(/^\/step-up/)
    const wrong = await send(t.app, 'DELETE', path, {
      fields: { confirmName: 'tenant_route' },
      cookie: cookies.owner,
    })
    expect(wrong.status).toBe(422)
    expect(await schemaExists(t.db, 'tenant_route_orphan_c')).toBe(true)

    const res = await send(t.app, 'DELETE', path, { fields: typed, cookie: cookies.owner })

    expect(res.status).toBe(303)
    expect(await schemaExists(t.db, 'tenant_route_orphan_c')).toBe(false)
    expect((await auditEntries(t.db, 'fleet.repair.drop_orphan')).at(-1)?.target_id).toBe(
      'tenant_route_orphan_c',
    )
  })
})
