import { beforeAll, describe, expect, it } from 'vitest'
import type { AppKey } from '../db/app-keys.js'
import { listTenantAuditEntries } from '../db/tenant-audit-log.js'
import type { Tenant } from '../db/tenants.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import {
  addMembership,
  createAppKey,
  createTenant,
  createUser,
  uniqueSuffix,
} from '../test-support/factories.js'
import { kitCall } from '../test-support/kit-calls.js'
import { useTestApp } from '../test-support/test-app.js'

// /kit/v1/tenants/:slug/members (PROTOCOL.md "Members"): who may use a tenant app, and adding
// members under the plan's member quota (seeds/002).

const t = useTestApp()
let appKey: AppKey
let token: string

beforeAll(async () => {
  ;({ key: appKey, token } = await createAppKey(t.db, { name: 'Acme app' }))
})

const get = (path: string, headers: Record<string, string> = {}) =>
  kitCall(t.app, token, 'GET', path, { headers })

const post = (slug: string, json: unknown) =>
  kitCall(t.app, token, 'POST', `/tenants/${slug}/members`, { json })

/** A tenant with its onboarding owner (firstAdminEmail) and one plain member. */
async function tenantWithMember() {
  const tenant = await createTenant(t.db)
  const member = await createUser(t.db, { name: 'Ada' })
  await addMembership(t.db, member, tenant, 'member')
  return { tenant, member, ownerEmail: tenant.firstAdminEmail }
}

/** Puts the tenant on a plan of its own allowing `maxMembers` memberships. */
async function planWithMemberQuota(tenant: Tenant, maxMembers: number): Promise<string> {
  const id = `tiny-${uniqueSuffix()}`
  await t.db
    .insertInto('plans')
    .values({
      id,
      name: 'Tiny',
      price_cents_monthly: 0,
      max_members: maxMembers,
      max_storage_bytes: 10 * 1024 * 1024,
      max_custom_domains: 0,
      sort_order: 99,
    })
    .execute()
  await t.db.updateTable('tenants').set({ plan_id: id }).where('id', '=', tenant.id).execute()
  return id
}

function newMember(actorEmail: string, overrides: Record<string, unknown> = {}) {
  return {
    email: `new-${uniqueSuffix()}@example.com`,
    name: 'Newcomer',
    role: 'member',
    actorEmail,
    ...overrides,
  }
}

async function counts() {
  return {
    users: await countRows(t.db, 'users'),
    memberships: await countRows(t.db, 'memberships'),
    audit: await countRows(t.db, 'audit_log'),
  }
}

describe('GET a member', () => {
  it('answers a member by user id and by email (any case) with an ETag, and 304 when unchanged', async () => {
    const { tenant, member } = await tenantWithMember()
    const expected = {
      member: {
        userId: member.id,
        email: member.email,
        name: 'Ada',
        status: 'active',
        role: 'member',
      },
    }

    const byId = await get(`/tenants/${tenant.slug}/members/${member.id}`)
    const byEmail = await get(
      `/tenants/${tenant.slug}/members?email=${encodeURIComponent(member.email.toUpperCase())}`,
    )

    expect(byId.status).toBe(200)
    expect(byId.headers.get('cache-control')).toBe('private, no-cache')
    expect(await byId.json()).toEqual(expected)
    expect(await byEmail.json()).toEqual(expected)
    const etag = byId.headers.get('etag')!
    expect(etag).toMatch(/^".+"$/)
    const again = await get(`/tenants/${tenant.slug}/members/${member.id}`, {
      'if-none-match': etag,
    })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('answers a disabled user with status disabled and a new ETag', async () => {
    const { tenant, member } = await tenantWithMember()
    const path = `/tenants/${tenant.slug}/members/${member.id}`
    const etag = (await get(path)).headers.get('etag')!
    await t.db
      .updateTable('users')
      .set({ status: 'disabled' })
      .where('id', '=', member.id)
      .execute()

    const res = await get(path, { 'if-none-match': etag })

    expect(res.status).toBe(200)
    expect((await res.json()).member.status).toBe('disabled')
    expect(res.headers.get('etag')).not.toBe(etag)
  })

  it('answers not_a_member alike for an unknown email, a user of another tenant and a bad id', async () => {
    const { tenant } = await tenantWithMember()
    const other = await tenantWithMember()
    const paths = [
      `/tenants/${tenant.slug}/members?email=nobody-${uniqueSuffix()}@example.com`,
      `/tenants/${tenant.slug}/members?email=${encodeURIComponent(other.member.email)}`,
      `/tenants/${tenant.slug}/members/${other.member.id}`,
      `/tenants/${tenant.slug}/members/${crypto.randomUUID()}`,
      `/tenants/${tenant.slug}/members/not-a-uuid`,
    ]
    const bodies = []
    for (const path of paths) {
      const res = await get(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      const { requestId: _, ...body } = await res.json()
      bodies.push(body)
    }
    expect(bodies[0]).toMatchObject({ code: 'not_a_member' })
    for (const body of bodies) expect(body).toEqual(bodies[0])
  })

  it('answers tenant_not_found for an unknown tenant', async () => {
    const { member } = await tenantWithMember()
    for (const path of [
      `/tenants/nope/members/${member.id}`,
      `/tenants/nope/members?email=${encodeURIComponent(member.email)}`,
      '/tenants/nope/members',
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(404)
      expect((await res.json()).code).toBe('tenant_not_found')
    }
  })

  it('refuses an email query that is not an address with 422 invalid_input', async () => {
    const { tenant } = await tenantWithMember()

    const res = await get(`/tenants/${tenant.slug}/members?email=not-an-email`)

    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      code: 'invalid_input',
      errors: [{ path: 'email', message: expect.any(String) }],
    })
  })
})

describe('GET the member list', () => {
  it('lists every member ordered by email, with the total', async () => {
    const { tenant, member, ownerEmail } = await tenantWithMember()
    const zed = await createUser(t.db, { email: `zed-${uniqueSuffix()}@example.com` })
    const abe = await createUser(t.db, { email: `Abe-${uniqueSuffix()}@example.com` })
    await addMembership(t.db, zed, tenant, 'admin')
    await addMembership(t.db, abe, tenant, 'member')

    const res = await get(`/tenants/${tenant.slug}/members`)

    expect(res.status).toBe(200)
    const body = await res.json()
    const emails = [abe.email, member.email, ownerEmail, zed.email].sort((a, b) =>
      a.toLowerCase().localeCompare(b.toLowerCase()),
    )
    expect(body.total).toBe(4)
    expect(body.members.map((m: { email: string }) => m.email)).toEqual(emails)
    expect(body.members.find((m: { email: string }) => m.email === zed.email)).toMatchObject({
      userId: zed.id,
      role: 'admin',
      status: 'active',
    })
  })
})

describe('POST a member', () => {
  it('creates the user, adds the membership and audits it in both logs', async () => {
    const { tenant, ownerEmail } = await tenantWithMember()
    const body = newMember(ownerEmail, { role: 'admin', name: 'Grace' })

    const res = await post(tenant.slug, body)

    expect(res.status).toBe(201)
    const { member } = await res.json()
    expect(member).toEqual({
      userId: expect.any(String),
      email: body.email,
      name: 'Grace',
      status: 'active',
      role: 'admin',
    })
    const row = await t.db
      .selectFrom('memberships')
      .select('role')
      .where('user_id', '=', member.userId)
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row.role).toBe('admin')
    const [entry] = (await auditEntries(t.db, 'membership.add')).filter(
      (e) => e.target_id === member.userId,
    )
    expect(entry).toMatchObject({
      actor_id: null,
      actor_email: null,
      tenant_id: tenant.id,
      after: { tenant: tenant.slug, role: 'admin', via: appKey.name, userCreated: true },
    })
    const [tenantEntry] = await listTenantAuditEntries(t.db, tenant.slug, 1)
    expect(tenantEntry).toMatchObject({
      actor: ownerEmail,
      action: 'member.added',
      details: { email: body.email, role: 'admin' },
    })
  })

  it('adds an existing user of another tenant without creating a new one; an admin may add', async () => {
    const { tenant } = await tenantWithMember()
    const other = await tenantWithMember()
    const admin = await createUser(t.db)
    await addMembership(t.db, admin, tenant, 'admin')
    const users = await countRows(t.db, 'users')

    const res = await post(tenant.slug, newMember(admin.email, { email: other.member.email }))

    expect(res.status).toBe(201)
    expect((await res.json()).member.userId).toBe(other.member.id)
    expect(await countRows(t.db, 'users')).toBe(users)
  })

  it('refuses with quota_exceeded at the plan’s member quota, writing nothing', async () => {
    const { tenant, ownerEmail } = await tenantWithMember()
    await planWithMemberQuota(tenant, 2)
    const before = await counts()

    const res = await post(tenant.slug, newMember(ownerEmail))

    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      code: 'quota_exceeded',
      quota: 'members',
      limit: 2,
      current: 2,
    })
    expect(await counts()).toEqual(before)
  })

  it('keeps existing members working when the quota is tightened below their count, and blocks additions', async () => {
    const { tenant, member, ownerEmail } = await tenantWithMember()
    const planId = await planWithMemberQuota(tenant, 5)
    await t.db.updateTable('plans').set({ max_members: 1 }).where('id', '=', planId).execute()

    const existing = await get(`/tenants/${tenant.slug}/members/${member.id}`)
    const added = await post(tenant.slug, newMember(ownerEmail))

    expect(existing.status).toBe(200)
    expect((await existing.json()).member.status).toBe('active')
    expect(added.status).toBe(422)
    expect(await added.json()).toMatchObject({ code: 'quota_exceeded', limit: 1, current: 2 })
  })

  it('refuses an existing member with 409 already_member', async () => {
    const { tenant, member, ownerEmail } = await tenantWithMember()
    const before = await counts()

    const res = await post(
      tenant.slug,
      newMember(ownerEmail, { email: member.email.toUpperCase() }),
    )

    expect(res.status).toBe(409)
    expect((await res.json()).code).toBe('already_member')
    expect(await counts()).toEqual(before)
  })

  it('refuses an actor who is a plain member, disabled, unknown or of another tenant with 403 not_allowed', async () => {
    const { tenant, member } = await tenantWithMember()
    const other = await tenantWithMember()
    const disabledAdmin = await createUser(t.db, { status: 'disabled' })
    await addMembership(t.db, disabledAdmin, tenant, 'admin')
    const before = await counts()

    for (const actorEmail of [
      member.email,
      disabledAdmin.email,
      `nobody-${uniqueSuffix()}@example.com`,
      other.ownerEmail,
    ]) {
      const res = await post(tenant.slug, newMember(actorEmail))
      expect(res.status, actorEmail).toBe(403)
      expect((await res.json()).code).toBe('not_allowed')
    }
    expect(await counts()).toEqual(before)
  })

  it('refuses a suspended tenant with 403 tenant_unavailable and an unknown one with 404', async () => {
    const { tenant, ownerEmail } = await tenantWithMember()
    await changeTenantStatus(t.db, { actor: null }, tenant.id, 'suspend')
    const before = await counts()

    const suspended = await post(tenant.slug, newMember(ownerEmail))
    const unknown = await post('no-such-tenant', newMember(ownerEmail))

    expect(suspended.status).toBe(403)
    expect((await suspended.json()).code).toBe('tenant_unavailable')
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).code).toBe('tenant_not_found')
    expect(await counts()).toEqual(before)
  })

  it('refuses bad values with 422 invalid_input naming each field', async () => {
    const { tenant, ownerEmail } = await tenantWithMember()
    const before = await counts()

    const res = await post(tenant.slug, { email: 'nope', role: 'owner', actorEmail: ownerEmail })

    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.code).toBe('invalid_input')
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'email',
      'name',
      'role',
    ])
    expect(await counts()).toEqual(before)
  })

  it('refuses malformed JSON, and a body not sent as JSON, with 400 invalid_request', async () => {
    const { tenant } = await tenantWithMember()
    const path = `/tenants/${tenant.slug}/members`

    const malformed = await kitCall(t.app, token, 'POST', path, {
      body: '{"email": ',
      headers: { 'content-type': 'application/json' },
    })
    const form = await kitCall(t.app, token, 'POST', path, {
      body: 'email=a%40b.c',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })

    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ code: 'invalid_request' })
    expect(form.status).toBe(400)
    expect(await form.json()).toMatchObject({ code: 'invalid_request' })
  })
})
