import { beforeAll, describe, expect, it } from 'vitest'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createAppKey, createFlag, createTenant, uniqueSuffix } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { KIT_CALLS_PER_MINUTE } from './auth.js'
import { setGlobalAllowlist } from '../db/settings.js'
import { OUTSIDE_IP } from '../test-support/requests.js'

// OFREP 0.3.0 conformance (open-feature/protocol service/openapi.yaml): the spec's request and
// response examples, with a Fleetdeck tenant named by the context's targetingKey or tenantId.

const t = useTestApp()
let token: string
let keyId: string

beforeAll(async () => {
  const created = await createAppKey(t.db)
  token = created.token
  keyId = created.key.id
})

type CallOptions = { body?: string; headers?: Record<string, string>; token?: string }

function ofrep(path: string, json: unknown, o: CallOptions = {}) {
  return t.app.request(`/ofrep/v1${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${o.token ?? token}`,
      'content-type': 'application/json',
      ...o.headers,
    },
    body: o.body ?? JSON.stringify(json),
  })
}

const evaluate = (key: string, context: unknown, o?: CallOptions) =>
  ofrep(`/evaluate/flags/${key}`, { context }, o)
const evaluateAll = (context: unknown, o?: CallOptions) => ofrep('/evaluate/flags', { context }, o)
const flagKey = () => `ofrep-${uniqueSuffix()}`

describe('POST /ofrep/v1/evaluate/flags/{key}', () => {
  it('answers the spec example shape: key, value, reason TARGETING_MATCH, variant, for an overridden tenant', async () => {
    const tenant = await createTenant(t.db)
    const key = flagKey()
    await createFlag(t.db, { key, overrides: { [tenant.id]: true } })

    const res = await evaluate(key, { targetingKey: tenant.id, email: 'user@example.com' })

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({
      key,
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: { why: 'override', type: 'boolean' },
    })
  })

  it('names the tenant by slug as well as id, and tenantId wins over targetingKey', async () => {
    const on = await createTenant(t.db)
    const off = await createTenant(t.db)
    const key = flagKey()
    await createFlag(t.db, { key, overrides: { [on.id]: true } })

    const bySlug = await (await evaluate(key, { targetingKey: on.slug })).json()
    const both = await (await evaluate(key, { targetingKey: on.id, tenantId: off.slug })).json()
    const onlyTenantId = await (await evaluate(key, { tenantId: on.id })).json()

    expect(bySlug.value).toBe(true)
    expect(both).toMatchObject({ value: false, reason: 'STATIC', variant: 'off' })
    expect(onlyTenantId.value).toBe(true)
  })

  it('gives each reason: STATIC, DEFAULT, TARGETING_MATCH by plan, SPLIT, DISABLED', async () => {
    const free = await createTenant(t.db, { planId: 'free' })
    const pro = await createTenant(t.db, { planId: 'professional' })
    const [plain, planned, rolled, archived] = [flagKey(), flagKey(), flagKey(), flagKey()]
    await createFlag(t.db, { key: plain })
    await createFlag(t.db, { key: planned, planValues: { professional: true } })
    await createFlag(t.db, { key: rolled, rolloutPercentage: 100, rolloutValue: true })
    await createFlag(t.db, { key: archived, archived: true, overrides: { [pro.id]: true } })
    const reason = async (key: string, tenantId: string) =>
      (await (await evaluate(key, { targetingKey: tenantId })).json()).reason

    expect(await reason(plain, free.id)).toBe('STATIC')
    expect(await reason(planned, free.id)).toBe('DEFAULT')
    expect(await reason(planned, pro.id)).toBe('TARGETING_MATCH')
    expect(await reason(rolled, free.id)).toBe('SPLIT')
    expect(await (await evaluate(archived, { targetingKey: pro.id })).json()).toMatchObject({
      value: false,
      reason: 'DISABLED',
    })
  })

  it('serves a string flag its variant as value and variant', async () => {
    const tenant = await createTenant(t.db)
    const key = flagKey()
    await createFlag(t.db, {
      key,
      type: 'string',
      variants: ['blue', 'green'],
      defaultValue: 'blue',
      overrides: { [tenant.id]: 'green' },
    })

    const body = await (await evaluate(key, { targetingKey: tenant.slug })).json()

    expect(body).toMatchObject({ key, value: 'green', variant: 'green', reason: 'TARGETING_MATCH' })
  })

  it('answers 404 FLAG_NOT_FOUND with the key for an unknown flag', async () => {
    const tenant = await createTenant(t.db)

    const res = await evaluate('non-existent-flag', { targetingKey: tenant.id })

    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      key: 'non-existent-flag',
      errorCode: 'FLAG_NOT_FOUND',
      errorDetails: "Flag 'non-existent-flag' was not found.",
    })
  })

  it('answers 400 TARGETING_KEY_MISSING when the context names no tenant', async () => {
    const res = await evaluate('my-flag', { email: 'user@example.com' })

    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ key: 'my-flag', errorCode: 'TARGETING_KEY_MISSING' })
  })

  it('answers 400 INVALID_CONTEXT for a missing context, a non-string targetingKey and an unknown or deleted tenant', async () => {
    const gone = await createTenant(t.db)
    await deleteTestTenant(t.database, gone.id)
    const bad = [
      await ofrep('/evaluate/flags/my-flag', {}),
      await ofrep('/evaluate/flags/my-flag', { context: 'acme' }),
      await evaluate('my-flag', { targetingKey: 42 }),
      await evaluate('my-flag', { targetingKey: 'no-such-tenant' }),
      await evaluate('my-flag', { targetingKey: crypto.randomUUID() }),
      await evaluate('my-flag', { targetingKey: gone.id }),
    ]

    for (const res of bad) {
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ key: 'my-flag', errorCode: 'INVALID_CONTEXT' })
    }
  })

  it('evaluates a suspended tenant as it is (the app shows its own suspended page)', async () => {
    const tenant = await createTenant(t.db)
    const key = flagKey()
    await createFlag(t.db, { key, overrides: { [tenant.id]: true } })
    await changeTenantStatus(t.db, { actor: null }, tenant.id, 'suspend')

    const res = await evaluate(key, { targetingKey: tenant.id })

    expect(res.status).toBe(200)
    expect((await res.json()).value).toBe(true)
  })

  it('answers malformed JSON with 400 PARSE_ERROR, never 500', async () => {
    for (const body of ['{', '', 'null', '"x"', '[1]', '{"context": nul}']) {
      const res = await ofrep('/evaluate/flags/my-flag', undefined, { body })
      expect(res.status).toBe(400)
      expect(['PARSE_ERROR', 'INVALID_CONTEXT']).toContain((await res.json()).errorCode)
    }
    const res = await ofrep('/evaluate/flags/my-flag', undefined, { body: '{"context":' })
    expect(await res.json()).toMatchObject({ errorCode: 'PARSE_ERROR', key: 'my-flag' })
  })
})

describe('POST /ofrep/v1/evaluate/flags (bulk)', () => {
  it('answers every flag for the tenant, archived ones DISABLED, with an ETag and tenant metadata', async () => {
    const tenant = await createTenant(t.db, { planId: 'professional' })
    const [on, archived] = [flagKey(), flagKey()]
    await createFlag(t.db, { key: on, planValues: { professional: true } })
    await createFlag(t.db, { key: archived, archived: true })

    const res = await evaluateAll({ targetingKey: tenant.id })

    expect(res.status).toBe(200)
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    const body = await res.json()
    expect(body.metadata).toEqual({ tenantId: tenant.id, tenantSlug: tenant.slug })
    const byKey = Object.fromEntries(body.flags.map((f: { key: string }) => [f.key, f]))
    expect(byKey[on]).toEqual({
      key: on,
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: { why: 'plan', type: 'boolean' },
    })
    expect(byKey[archived]).toMatchObject({ value: false, reason: 'DISABLED' })
  })

  it('answers 304 without a body to a matching If-None-Match, and 200 with a new ETag after an override', async () => {
    const tenant = await createTenant(t.db)
    const key = flagKey()
    const flag = await createFlag(t.db, { key })
    const first = await evaluateAll({ targetingKey: tenant.slug })
    const etag = first.headers.get('etag')!

    const same = await evaluateAll(
      { targetingKey: tenant.slug },
      { headers: { 'if-none-match': etag } },
    )

    expect(same.status).toBe(304)
    expect(await same.text()).toBe('')
    expect(same.headers.get('etag')).toBe(etag)
    expect(same.headers.get('cache-control')).toBe('private, no-cache')

    await t.db
      .insertInto('feature_flag_overrides')
      .values({ flag_id: flag.id, tenant_id: tenant.id, value: 'true', updated_at: new Date() })
      .execute()
    const changed = await evaluateAll(
      { targetingKey: tenant.slug },
      { headers: { 'if-none-match': etag } },
    )

    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    const flags = (await changed.json()).flags
    expect(flags.find((f: { key: string }) => f.key === key)).toMatchObject({ value: true })
  })

  it('answers the bulk failure shape without a key: PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT', async () => {
    const parse = await ofrep('/evaluate/flags', undefined, { body: 'not json' })
    const missing = await evaluateAll({ plan: 'free' })
    const unknown = await evaluateAll({ targetingKey: 'no-such-tenant' })

    expect([parse.status, missing.status, unknown.status]).toEqual([400, 400, 400])
    expect(await parse.json()).toEqual({
      errorCode: 'PARSE_ERROR',
      errorDetails: expect.any(String),
    })
    expect(await missing.json()).toEqual({
      errorCode: 'TARGETING_KEY_MISSING',
      errorDetails: expect.any(String),
    })
    expect(await unknown.json()).toEqual({
      errorCode: 'INVALID_CONTEXT',
      errorDetails: "No tenant has the id or slug 'no-such-tenant'.",
    })
  })
})

describe('OFREP authentication and limits', () => {
  it('refuses a missing or unknown app key with 401, JSON and WWW-Authenticate', async () => {
    const tenant = await createTenant(t.db)
    for (const res of [
      await evaluateAll({ targetingKey: tenant.id }, { token: 'fdk_nope.nope' }),
      await t.app.request('/ofrep/v1/evaluate/flags', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ context: { targetingKey: tenant.id } }),
      }),
    ]) {
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(await res.json()).toEqual({ errorDetails: expect.any(String), code: 'unauthorized' })
    }
  })

  it('answers 429 with Retry-After in seconds once the key has made its calls this minute', async () => {
    const own = await createAppKey(t.db)
    const tenant = await createTenant(t.db)
    const now = new Date(t.clock.now())
    await t.db
      .insertInto('rate_limits')
      .values({
        key: `kit:${own.key.id}`,
        window_start: windowStart(now),
        hits: KIT_CALLS_PER_MINUTE,
      })
      .execute()

    const res = await evaluateAll({ targetingKey: tenant.id }, { token: own.token })

    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await res.json()).toEqual({ errorDetails: expect.any(String), code: 'rate_limited' })
  })

  it('takes POSTs from another origin: the app key authenticates, no cookie is read', async () => {
    const tenant = await createTenant(t.db)
    const headers = { origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' }

    const res = await evaluateAll({ targetingKey: tenant.id }, { headers })

    expect(res.status).toBe(200)
    const key = await t.db
      .selectFrom('app_keys')
      .select('last_used_at')
      .where('id', '=', keyId)
      .executeTakeFirstOrThrow()
    expect(key.last_used_at).not.toBeNull()
  })

  it('answers outside the operator IP allowlist, like the kit API', async () => {
    const { owner } = await t.signedInOwner()
    const tenant = await createTenant(t.db)
    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, ['203.0.113.0/24'], owner.admin.id, new Date()))
    try {
      const res = await t.app.request(
        '/ofrep/v1/evaluate/flags',
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ context: { targetingKey: tenant.id } }),
        },
        { incoming: { socket: { remoteAddress: OUTSIDE_IP } } },
      )
      expect(res.status).toBe(200)
    } finally {
      await t.db
        .transaction()
        .execute((trx) => setGlobalAllowlist(trx, [], owner.admin.id, new Date()))
    }
  })

  it('answers an unknown address under /ofrep/v1 with a JSON 404', async () => {
    const res = await ofrep('/evaluate/nothing', { context: {} })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ errorDetails: expect.any(String) })
  })
})

function windowStart(now: Date) {
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000)
}
