import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createAppKey, createTenant } from '../test-support/factories.js'
import { kitCall } from '../test-support/kit-calls.js'
import { upsertStorageSnapshots } from '../db/storage-snapshots.js'
import { addMembership, createFlag, createUser, uniqueSuffix } from '../test-support/factories.js'
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
        flags: expect.any(Object),
        // The first admin is the one member; onboarding measured the schema; no calls recorded.
        usage: { members: 1, storage: expect.any(Number), api_calls_today: 0 },
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
    await deleteTestTenant(t.database, tenant.id)

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

  it('gives every flag resolved for the tenant, an archived one at its default as OFREP does', async () => {
    const acme = await createTenant(t.db, { planId: 'professional' })
    const other = await createTenant(t.db, { planId: 'free' })
    const [beta, exportKey, theme, old] = ['beta', 'export', 'theme', 'old'].map(
      (k) => `${k}-${uniqueSuffix()}`,
    )
    await createFlag(t.db, { key: beta, overrides: { [acme.id]: true } })
    await createFlag(t.db, { key: exportKey, planValues: { professional: true } })
    await createFlag(t.db, {
      key: theme,
      type: 'string',
      variants: ['blue', 'green'],
      defaultValue: 'blue',
    })
    await createFlag(t.db, {
      key: old,
      archived: true,
      defaultValue: true,
      overrides: { [acme.id]: false },
    })

    const acmeFlags = (await (await getTenant(acme.slug)).json()).tenant.flags
    const otherFlags = (await (await getTenant(other.slug)).json()).tenant.flags

    expect(acmeFlags).toMatchObject({ [beta]: true, [exportKey]: true, [theme]: 'blue' })
    expect(otherFlags).toMatchObject({ [beta]: false, [exportKey]: false, [theme]: 'blue' })
    expect(acmeFlags[old]).toBe(true)
    expect(otherFlags[old]).toBe(true)
  })

  it('gives usage: members, storage bytes from the snapshot, and API calls recorded today (UTC)', async () => {
    const tenant = await createTenant(t.db)
    for (let i = 0; i < 2; i++) await addMembership(t.db, await createUser(t.db), tenant)
    await upsertStorageSnapshots(t.db, [
      { tenantId: tenant.id, dbBytes: 1000, fileBytes: 234, takenAt: new Date() },
    ])
    await postUsage(tenant.slug, { calls: 7 })
    const first = await getTenant(tenant.slug)
    const etag = first.headers.get('etag')!

    expect((await first.json()).tenant.usage).toEqual({
      members: 3,
      storage: 1234,
      api_calls_today: 7,
    })
    await postUsage(tenant.slug, { calls: 3 })
    const after = await getTenant(tenant.slug, { 'if-none-match': etag })
    expect(after.status).toBe(200)
    expect((await after.json()).tenant.usage.api_calls_today).toBe(10)
  })
})

const postUsage = (slug: string, json: unknown) =>
  kitCall(t.app, token, 'POST', `/tenants/${slug}/api-usage`, { json })

describe('POST /kit/v1/tenants/:slug/api-usage', () => {
  it('adds the calls to the tenant’s counter for today (UTC) and answers the day’s total', async () => {
    const tenant = await createTenant(t.db)

    const first = await postUsage(tenant.slug, { calls: 5 })
    const second = await postUsage(tenant.slug, { calls: 20 })

    expect(first.status).toBe(200)
    const day = new Date(t.clock.now()).toISOString().slice(0, 10)
    expect(await second.json()).toEqual({ day, api_calls_today: 25 })
    const rows = await t.db
      .selectFrom('tenant_api_usage')
      .select([sql<string>`day::text`.as('day'), 'calls'])
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(rows.map((r) => [r.day, Number(r.calls)])).toEqual([[day, 25]])
  })

  it('counts concurrent reports exactly (one atomic upsert each)', async () => {
    const tenant = await createTenant(t.db)

    await Promise.all(Array.from({ length: 8 }, () => postUsage(tenant.slug, { calls: 1 })))

    const row = await t.db
      .selectFrom('tenant_api_usage')
      .select('calls')
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(Number(row.calls)).toBe(8)
  })

  it('starts a new counter on the next UTC day', async () => {
    const tenant = await createTenant(t.db)
    await postUsage(tenant.slug, { calls: 4 })
    t.clock.advance(86_400_000)
    try {
      const res = await postUsage(tenant.slug, { calls: 1 })
      expect((await res.json()).api_calls_today).toBe(1)
      expect((await (await getTenant(tenant.slug)).json()).tenant.usage.api_calls_today).toBe(1)
    } finally {
      t.clock.advance(-86_400_000)
    }
  })

  it('refuses bad counts with 422 and malformed JSON with 400, recording nothing', async () => {
    const tenant = await createTenant(t.db)
    for (const calls of [0, -1, 1.5, '3', null, 1_000_001]) {
      const res = await postUsage(tenant.slug, { calls })
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({ code: 'invalid_input', errors: [{ path: 'calls' }] })
    }
    const malformed = await kitCall(t.app, token, 'POST', `/tenants/${tenant.slug}/api-usage`, {
      body: '{"calls":',
      headers: { 'content-type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
    const rows = await t.db
      .selectFrom('tenant_api_usage')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(rows).toEqual([])
  })

  it('refuses an unknown tenant with 404 and a deleted one with 403', async () => {
    const gone = await createTenant(t.db)
    await deleteTestTenant(t.database, gone.id)

    expect((await postUsage('no-such-tenant', { calls: 1 })).status).toBe(404)
    const res = await postUsage(gone.slug, { calls: 1 })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ code: 'tenant_unavailable' })
  })
})
