import { beforeAll, describe, expect, it } from 'vitest'
import { changeTenantStatus, deleteTenant } from '../tenancy/lifecycle.js'
import { createAppKey, createTenant } from '../test-support/factories.js'
import { kitCall } from '../test-support/kit-calls.js'
import { useTestApp } from '../test-support/test-app.js'

// GET /kit/v1/tenants/:slug (PROTOCOL.md "Tenants"): what a tenant app resolves on every request.

const t = useTestApp()
let token: string

beforeAll(async () => {
  token = (await createAppKey(t.db)).token
})

const getTenant = (slug: string, headers: Record<string, string> = {}) =>
  kitCall(t.app, token, 'GET', `/tenants/${slug}`, { headers })

describe('GET /kit/v1/tenants/:slug', () => {
  it('answers the tenant with its plan and quotas in bytes, an ETag and private, no-cache', async () => {
    const tenant = await createTenant(t.db, { planId: 'professional' })

    const res = await getTenant(tenant.slug)

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
    expect(await res.json()).toEqual({
      tenant: {
        id: tenant.id,
        slug: tenant.slug,
        name: tenant.name,
        status: 'active',
        plan: { id: 'professional', name: 'Professional' },
        // seeds/002 via the baseline plans: 50 members, 50 GB, 1 custom domain.
        quotas: {
          members: 50,
          storage: 51200 * 1024 * 1024,
          custom_domains: 1,
          api_calls_per_day: 100000,
        },
        planChangedAt: null,
        suspendedAt: null,
      },
    })
  })

  it('gives unlimited quotas as null', async () => {
    const tenant = await createTenant(t.db, { planId: 'enterprise' })

    const body = await (await getTenant(tenant.slug)).json()

    expect(body.tenant.quotas.members).toBeNull()
    expect(body.tenant.plan.id).toBe('enterprise')
  })

  it('answers 304 without a body to a matching If-None-Match, and a new ETag once the tenant is suspended', async () => {
    const tenant = await createTenant(t.db)
    const first = await getTenant(tenant.slug)
    const etag = first.headers.get('etag')!

    const same = await getTenant(tenant.slug, { 'if-none-match': etag })

    expect(same.status).toBe(304)
    expect(await same.text()).toBe('')
    expect(same.headers.get('etag')).toBe(etag)
    expect(same.headers.get('cache-control')).toBe('private, no-cache')
    expect((await getTenant(tenant.slug, { 'if-none-match': '"other", ' + etag })).status).toBe(304)

    await changeTenantStatus(t.db, { actor: null }, tenant.id, 'suspend')
    const changed = await getTenant(tenant.slug, { 'if-none-match': etag })

    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    const body = await changed.json()
    expect(body.tenant.status).toBe('suspended')
    expect(body.tenant.suspendedAt).toEqual(expect.any(String))
  })

  it('answers a deleted tenant with its status', async () => {
    const tenant = await createTenant(t.db)
    await deleteTenant(t.db, { actor: null }, tenant.id)

    const res = await getTenant(tenant.slug)

    expect(res.status).toBe(200)
    expect((await res.json()).tenant.status).toBe('deleted')
  })

  it('refuses an unknown slug with 404 tenant_not_found as a problem', async () => {
    const res = await getTenant('no-such-tenant')

    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toMatchObject({ status: 404, code: 'tenant_not_found' })
  })

  it('refuses a call without a valid app key', async () => {
    const tenant = await createTenant(t.db)
    const res = await kitCall(t.app, 'fdk_nope', 'GET', `/tenants/${tenant.slug}`)
    expect(res.status).toBe(401)
  })
})
