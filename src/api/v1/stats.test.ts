import { beforeAll, describe, expect, it } from 'vitest'
import type { Permission } from '../../auth/permissions.js'
import { readKpis } from '../../db/kpis.js'
import { apiTokenId, bearer, createTestApiToken } from '../../test-support/api-tokens.js'
import { insertSubscription } from '../../test-support/billing-rows.js'
import { auditEntries } from '../../test-support/database-state.js'
import {
  addMembership,
  createSuperAdmin,
  createTenant,
  createUser,
  type TestAdmin,
} from '../../test-support/factories.js'
import { expectConforms, type OpenApiDocument } from '../../test-support/openapi-conformance.js'
import { useTestApp } from '../../test-support/test-app.js'

// /api/v1/stats (issue 14 item 1): the dashboard's numbers as JSON, equal to what the dashboard's
// own query reads; MRR in cents only for a token that carries saas.billing.view.

const t = useTestApp()
let document: OpenApiDocument
let owner: TestAdmin

beforeAll(async () => {
  document = (await (await t.app.request('/api/v1/openapi.json')).json()) as OpenApiDocument
  owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
})

const token = (permissions: Permission[], who = owner) =>
  createTestApiToken(t.db, who.admin.id, permissions, { now: new Date(t.clock.now()) })

async function stats(tok: string | undefined, query = '') {
  const res = await t.app.request(`/api/v1/stats${query}`, { headers: tok ? bearer(tok) : {} })
  const body = (await expectConforms(document, 'GET', '/stats', res)) as any
  return { status: res.status, body }
}

describe('GET /api/v1/stats', () => {
  it('answers the dashboard’s KPIs for the fleet, and the read is audited with the token', async () => {
    await createTenant(t.db)
    const suspended = await createTenant(t.db)
    await t.db
      .updateTable('tenants')
      .set({ status: 'suspended' })
      .where('id', '=', suspended.id)
      .execute()
    await createUser(t.db, { lastLoginAt: new Date(t.clock.now()) })
    const tok = await token(['saas.dashboard.view'])
    const { status, body } = await stats(tok)
    expect(status).toBe(200)
    const kpis = await readKpis(t.db, {}, new Date(t.clock.now()))
    expect(body).toMatchObject({
      tenantId: null,
      tenants: { active: kpis.activeTenants, suspended: kpis.suspendedTenants },
      users: { total: kpis.users, active: kpis.activeUsers, signupsToday: kpis.signupsToday },
      billing: null,
    })
    expect(body.tenants.suspended).toBeGreaterThanOrEqual(1)
    expect(body.users.active).toBeGreaterThanOrEqual(1)
    const reads = (await auditEntries(t.db, 'api.read')).filter(
      (e) => e.api_token_id === apiTokenId(tok),
    )
    expect(reads).toHaveLength(1)
  })

  it('scopes to one tenant: its members and status', async () => {
    const tenant = await createTenant(t.db)
    await addMembership(t.db, await createUser(t.db), tenant)
    const tok = await token(['saas.dashboard.view'])
    const { body } = await stats(tok, `?tenantId=${tenant.id}`)
    // The first admin made at onboarding, and the member added here.
    expect(body).toMatchObject({
      tenantId: tenant.id,
      tenantStatus: 'active',
      tenants: { active: 1, suspended: 0 },
      users: { total: 2 },
    })
  })

  it('gives MRR in cents per currency only to a token with saas.billing.view', async () => {
    await insertSubscription(t.db, { mrr_cents: 12_345, currency: 'usd' })
    const withBilling = await stats(await token(['saas.dashboard.view', 'saas.billing.view']))
    const usd = withBilling.body.billing.currencies.find(
      (cur: { currency: string }) => cur.currency === 'usd',
    )
    expect(usd.mrrCents).toBe(12_345)
    expect(withBilling.body.billing.hasData).toBe(true)
    const without = await stats(await token(['saas.dashboard.view']))
    expect(without.status).toBe(200)
    expect(without.body.billing).toBeNull()
  })

  it('401 without a token, 403 without saas.dashboard.view, 404 unknown tenant, 422 bad id', async () => {
    expect((await stats(undefined)).status).toBe(401)
    const refused = await stats(await token(['saas.users.view']))
    expect([refused.status, refused.body.code]).toEqual([403, 'forbidden'])
    const tok = await token(['saas.dashboard.view'])
    expect((await stats(tok, `?tenantId=${crypto.randomUUID()}`)).status).toBe(404)
    const bad = await stats(tok, '?tenantId=nope')
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0].field).toBe('tenantId')
  })
})
