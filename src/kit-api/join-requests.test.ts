import { beforeAll, describe, expect, it } from 'vitest'
import type { AppKey } from '../db/app-keys.js'
import { insertAutoJoinDomain } from '../db/auto-join-domains.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { auditEntries } from '../test-support/database-state.js'
import {
  addMembership,
  createAppKey,
  createTenant,
  createUser,
  uniqueSuffix,
} from '../test-support/factories.js'
import { kitCall } from '../test-support/kit-calls.js'
import { useTestApp } from '../test-support/test-app.js'

// POST /kit/v1/join-requests (PROTOCOL.md "Join requests"): someone asks to join a tenant from
// its app; an auto-join domain lets them in at once.

const t = useTestApp()
let appKey: AppKey
let token: string

beforeAll(async () => {
  ;({ key: appKey, token } = await createAppKey(t.db, { name: 'Join app' }))
})

const request = (json: unknown) => kitCall(t.app, token, 'POST', '/join-requests', { json })

function joinRequestRow(id: string) {
  return t.db.selectFrom('join_requests').selectAll().where('id', '=', id).executeTakeFirst()
}

describe('POST /kit/v1/join-requests', () => {
  it('files a pending request, audited with no actor and the app key as via', async () => {
    const tenant = await createTenant(t.db)
    const email = `asker-${uniqueSuffix()}@example.com`

    const res = await request({ tenant: tenant.slug, email, name: 'Asker', message: 'Let me in' })

    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body).toEqual({ outcome: 'pending', joinRequestId: expect.any(String) })
    expect(await joinRequestRow(body.joinRequestId)).toMatchObject({
      status: 'pending',
      tenant_id: tenant.id,
      email,
      message: 'Let me in',
    })
    const [entry] = (await auditEntries(t.db, 'join_request.submit')).filter(
      (e) => e.target_id === body.joinRequestId,
    )
    expect(entry).toMatchObject({ actor_id: null, after: { via: appKey.name, status: 'pending' } })
  })

  it('joins at once when the email’s domain is an auto-join domain', async () => {
    const tenant = await createTenant(t.db)
    const domain = `corp-${uniqueSuffix()}.example`
    await insertAutoJoinDomain(t.db, {
      tenantId: tenant.id,
      domain,
      createdBy: null,
      createdAt: new Date(),
    })

    const res = await request({ tenant: tenant.slug, email: `new@${domain}` })

    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body.outcome).toBe('joined')
    expect(await joinRequestRow(body.joinRequestId)).toMatchObject({ status: 'approved' })
    const member = await kitCall(
      t.app,
      token,
      'GET',
      `/tenants/${tenant.slug}/members?email=${encodeURIComponent(`new@${domain}`)}`,
    )
    expect(member.status).toBe(200)
    expect((await member.json()).member.role).toBe('member')
  })

  it('refuses a second request from the same email with 409 already_pending', async () => {
    const tenant = await createTenant(t.db)
    const email = `twice-${uniqueSuffix()}@example.com`
    await request({ tenant: tenant.slug, email })

    const res = await request({ tenant: tenant.slug, email })

    expect(res.status).toBe(409)
    expect((await res.json()).code).toBe('already_pending')
  })

  it('refuses a member with 409 already_member', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant)

    const res = await request({ tenant: tenant.slug, email: user.email })

    expect(res.status).toBe(409)
    expect((await res.json()).code).toBe('already_member')
  })

  it('refuses an unknown tenant with 404 and a suspended one with 403 tenant_unavailable', async () => {
    const tenant = await createTenant(t.db)
    await changeTenantStatus(t.db, { actor: null }, tenant.id, 'suspend')
    const email = `late-${uniqueSuffix()}@example.com`

    const unknown = await request({ tenant: 'no-such-tenant', email })
    const suspended = await request({ tenant: tenant.slug, email })

    expect(unknown.status).toBe(404)
    expect((await unknown.json()).code).toBe('tenant_not_found')
    expect(suspended.status).toBe(403)
    expect((await suspended.json()).code).toBe('tenant_unavailable')
    const rows = await t.db
      .selectFrom('join_requests')
      .select('id')
      .where('email', '=', email)
      .execute()
    expect(rows).toEqual([])
  })

  it('refuses bad values with 422 invalid_input', async () => {
    const res = await request({ tenant: '', email: 'nope' })

    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.code).toBe('invalid_input')
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'tenant'])
  })
})
