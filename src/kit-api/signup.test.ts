import { beforeAll, describe, expect, it } from 'vitest'
import type { AppKey } from '../db/app-keys.js'
import { findTenantBySlug } from '../db/tenants.js'
import { setPlanArchived } from '../plans/plan-lifecycle.js'
import { saveSignupSettings } from '../tenancy/self-service-signup.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createAppKey, createTenant, uniqueSuffix } from '../test-support/factories.js'
import { kitCall } from '../test-support/kit-calls.js'
import { insertTestPlan } from '../test-support/plan-scenes.js'
import { useTestApp } from '../test-support/test-app.js'
import {
  SIGNUPS_PER_DAY_ALL_KEYS,
  SIGNUPS_PER_HOUR_PER_ADDRESS,
  SIGNUPS_PER_HOUR_PER_KEY,
  signupAddressKey,
} from './signup.js'

// GET /kit/v1/signup and POST /kit/v1/signups (PROTOCOL.md "Signup", issue 10 item 6).

const t = useTestApp()
let appKey: AppKey
let token: string

beforeAll(async () => {
  ;({ key: appKey, token } = await createAppKey(t.db, { name: 'Signup app' }))
})

const settings = (publicSignup: boolean, defaultPlanId: string | null = null) =>
  saveSignupSettings(t.db, { actor: null }, { publicSignup, defaultPlanId }, null, new Date())

const offer = () => kitCall(t.app, token, 'GET', '/signup')

function signUpBody() {
  const suffix = uniqueSuffix()
  return {
    slug: `w${suffix}`,
    name: `Workspace ${suffix}`,
    ownerName: 'Ada Lovelace',
    ownerEmail: `ada-${suffix}@example.com`,
  }
}

let address = 0
/** A signup from an address of its own, so the per-address limit is not what a test meets. */
function signUp(o: Record<string, unknown> = {}) {
  address++
  const json = { ...signUpBody(), ip: `192.0.2.${address}`, ...o }
  return kitCall(t.app, token, 'POST', '/signups', { json })
}

describe('GET /kit/v1/signup', () => {
  it('says open on the first public plan by default, with an ETag to revalidate', async () => {
    const res = await offer()

    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ open: true, defaultPlan: { id: 'free', name: 'Free' } })
    const again = await kitCall(t.app, token, 'GET', '/signup', {
      headers: { 'if-none-match': res.headers.get('etag')! },
    })
    expect(again.status).toBe(304)
  })

  it('says closed once an owner turns signup off, and names the chosen plan', async () => {
    await settings(false, 'enterprise')
    expect(await (await offer()).json()).toEqual({
      open: false,
      defaultPlan: { id: 'enterprise', name: 'Enterprise' },
    })
    await settings(true, 'professional')
    expect(await (await offer()).json()).toMatchObject({
      open: true,
      defaultPlan: { id: 'professional' },
    })
  })

  it('names the first public plan when the chosen one is archived', async () => {
    const chosen = await insertTestPlan(t.db)
    await settings(true, chosen)
    await setPlanArchived(t.db, { actor: null }, chosen, true)

    expect(await (await offer()).json()).toEqual({
      open: true,
      defaultPlan: { id: 'free', name: 'Free' },
    })
  })

  it('refuses a call without an app key', async () => {
    const res = await t.app.request('/kit/v1/signup')
    expect(res.status).toBe(401)
  })
})

describe('POST /kit/v1/signups', () => {
  it('creates an active workspace on the default plan, the signer-up its owner, audited via the app', async () => {
    await settings(true, 'professional')

    const res = await signUp({ slug: `acme-${uniqueSuffix()}`, ownerEmail: 'Ada@Example.com' })

    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body).toEqual({
      tenant: {
        id: expect.any(String),
        slug: body.tenant.slug,
        name: expect.stringMatching(/^Workspace /),
        status: 'active',
        plan: { id: 'professional', name: 'Professional' },
      },
    })
    const tenant = await findTenantBySlug(t.db, body.tenant.slug)
    expect(tenant).toMatchObject({ status: 'active', planId: 'professional' })
    const members = await t.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.email', 'memberships.role'])
      .where('memberships.tenant_id', '=', tenant!.id)
      .execute()
    expect(members).toEqual([{ email: 'Ada@Example.com', role: 'owner' }])
    const [entry] = (await auditEntries(t.db, 'tenant.create')).filter(
      (e) => e.target_id === tenant!.id,
    )
    expect(entry).toMatchObject({ actor_id: null, after: { via: appKey.name } })
  })

  it('lands on the first public plan when the default plan was archived', async () => {
    const chosen = await insertTestPlan(t.db)
    await settings(true, chosen)
    await setPlanArchived(t.db, { actor: null }, chosen, true)

    const res = await signUp()

    expect(res.status).toBe(201)
    const { tenant } = await res.json()
    expect(tenant.plan.id).toBe('free')
    expect((await findTenantBySlug(t.db, tenant.slug))?.planId).toBe('free')
  })

  it('refuses with 403 signup_closed while signup is off, creating nothing', async () => {
    await settings(false)
    const tenants = await countRows(t.db, 'tenants')

    const res = await signUp()

    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ code: 'signup_closed' })
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
    await settings(true)
  })

  it('answers 422 for a bad slug or email, by field, creating nothing', async () => {
    const tenants = await countRows(t.db, 'tenants')

    const res = await signUp({ slug: 'Not A Slug', ownerEmail: 'nope' })

    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.code).toBe('invalid_input')
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['ownerEmail', 'slug'])
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
  })

  it('answers 422 slug_taken for a slug in use (deleted tenants keep theirs)', async () => {
    const existing = await createTenant(t.db)
    const tenants = await countRows(t.db, 'tenants')

    const res = await signUp({ slug: existing.slug })

    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      code: 'slug_taken',
      errors: [{ path: 'slug', message: expect.any(String) }],
    })
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
  })

  it('answers 400 to a body that is not JSON', async () => {
    const res = await kitCall(t.app, token, 'POST', '/signups', {
      body: '{"slug":',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'invalid_request' })
  })

  it('limits signups from one address per hour with 429 and Retry-After', async () => {
    const ip = '198.51.100.77'
    const tenants = await countRows(t.db, 'tenants')
    for (let i = 0; i < SIGNUPS_PER_HOUR_PER_ADDRESS; i++)
      expect((await signUp({ ip, slug: 'Bad Slug!' })).status).toBe(422)
    // Malformed attempts are not counted; taken slugs are.
    const existing = await createTenant(t.db)
    for (let i = 0; i < SIGNUPS_PER_HOUR_PER_ADDRESS; i++)
      expect((await signUp({ ip, slug: existing.slug })).status).toBe(422)

    const res = await signUp({ ip })

    expect(res.status).toBe(429)
    expect(await res.json()).toMatchObject({ code: 'rate_limited' })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await countRows(t.db, 'tenants')).toBe(tenants + 1)
  })

  it('without the signer-up’s address, only the app key’s hourly limit applies', async () => {
    const { token: own } = await createAppKey(t.db, { name: 'Busy app' })
    const existing = await createTenant(t.db)
    const taken = (ip?: string) => {
      const json = { ...signUpBody(), slug: existing.slug, ...(ip ? { ip } : {}) }
      return kitCall(t.app, own, 'POST', '/signups', { json })
    }
    for (let i = 0; i < SIGNUPS_PER_HOUR_PER_KEY; i++) expect((await taken()).status).toBe(422)

    const res = await taken('203.0.113.50')

    expect(res.status).toBe(429)
    expect(await res.json()).toMatchObject({ code: 'rate_limited' })
  })

  it('stops every key once the day’s signups across all keys reach the cap', async () => {
    expect((await signUp()).status).toBe(201)
    await t.db
      .updateTable('rate_limits')
      .set({ hits: SIGNUPS_PER_DAY_ALL_KEYS })
      .where('key', '=', 'kit-signup-all')
      .execute()
    const { token: other } = await createAppKey(t.db, { name: 'Another app' })
    const tenants = await countRows(t.db, 'tenants')

    const res = await kitCall(t.app, other, 'POST', '/signups', { json: signUpBody() })

    expect(res.status).toBe(429)
    expect(await res.json()).toMatchObject({ code: 'rate_limited' })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
    await t.db
      .updateTable('rate_limits')
      .set({ hits: 0 })
      .where('key', '=', 'kit-signup-all')
      .execute()
  })
})

describe('signupAddressKey', () => {
  it('counts an IPv6 /64 as one address, whatever its spelling', () => {
    expect(signupAddressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(signupAddressKey('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64')
    expect(signupAddressKey('::1')).toBe('0:0:0:0::/64')
    expect(signupAddressKey('0:0::1')).toBe('0:0:0:0::/64')
  })

  it('keeps IPv4 as is, and an IPv4-mapped address as its IPv4', () => {
    expect(signupAddressKey('192.0.2.7')).toBe('192.0.2.7')
    expect(signupAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7')
  })
})
