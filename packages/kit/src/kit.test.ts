import { describe, expect, it } from 'vitest'
import { useFleetdeck } from '../test/fleetdeck-under-test.js'
import { inProcessFleetdeck } from '../test/in-process-fleetdeck.js'
import { KitError } from './client.js'

// The kit's calls for tenants, members, sign-ins and join requests, against the real Fleetdeck.
const fd = useFleetdeck(inProcessFleetdeck)

describe('resolving a tenant', () => {
  it('resolves an active tenant with its plan and quotas', async () => {
    const tenant = await fd.createTenant()

    const resolved = await fd.kit().resolveTenant(tenant.slug)

    expect(resolved).toMatchObject({ ok: true, tenant: { id: tenant.id, slug: tenant.slug } })
    if (!resolved.ok) throw new Error('unreachable')
    expect(Object.keys(resolved.tenant.quotas).sort()).toEqual([
      'api_calls_per_day',
      'custom_domains',
      'members',
      'storage',
    ])
  })

  it('refuses a suspended tenant with 403 and deleted, unusable or unknown ones with 404', async () => {
    const kit = fd.kit()
    const cases = [
      ['suspended', 403, 'suspended'],
      ['deleted', 404, 'deleted'],
      ['failed', 404, 'unavailable'],
      ['provisioning', 404, 'unavailable'],
    ] as const
    for (const [status, code, reason] of cases) {
      const tenant = await fd.createTenant()
      await fd.setTenantStatus(tenant, status)
      expect(await kit.resolveTenant(tenant.slug)).toMatchObject({
        ok: false,
        status: code,
        reason,
      })
    }
    expect(await kit.resolveTenant('no-such-tenant')).toMatchObject({
      ok: false,
      status: 404,
      reason: 'not_found',
    })
  })

  it('sees a suspension within 5 s, and revalidates with the ETag meanwhile', async () => {
    const tenant = await fd.createTenant()
    const kit = fd.kit()
    await kit.resolveTenant(tenant.slug)
    await fd.setTenantStatus(tenant, 'suspended')

    fd.clock.advance(2000)
    expect((await kit.resolveTenant(tenant.slug)).ok).toBe(true)
    fd.clock.advance(3000)
    expect(await kit.resolveTenant(tenant.slug)).toMatchObject({ ok: false, reason: 'suspended' })
    await fd.setTenantStatus(tenant, 'active')
    fd.clock.advance(5000)
    expect((await kit.resolveTenant(tenant.slug)).ok).toBe(true)
    fd.clock.advance(5000)
    expect((await kit.resolveTenant(tenant.slug)).ok).toBe(true)

    expect(fd.calls.filter((c) => c === `GET /kit/v1/tenants/${tenant.slug}`)).toHaveLength(4)
  })

  it('throws a KitError 401 when the app key is wrong', async () => {
    const tenant = await fd.createTenant()
    const kit = fd.kit({ appKey: 'fdk_wrong.key' })

    const error = await kit.resolveTenant(tenant.slug).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(KitError)
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' })
  })
})

describe('checking a member', () => {
  it('finds a member by user id and by email, case-insensitively', async () => {
    const tenant = await fd.createTenant()
    const user = await fd.createMember(tenant, 'admin')
    const kit = fd.kit()

    expect(await kit.checkMember(tenant.slug, { userId: user.id })).toMatchObject({
      ok: true,
      member: { userId: user.id, email: user.email, role: 'admin', status: 'active' },
    })
    expect(await kit.checkMember(tenant.slug, { email: user.email.toUpperCase() })).toMatchObject({
      ok: true,
      member: { userId: user.id },
    })
  })

  it('refuses a user of another tenant and an unknown email alike', async () => {
    const tenant = await fd.createTenant()
    const other = await fd.createTenant()
    const outsider = await fd.createMember(other)
    const kit = fd.kit()

    for (const who of [{ userId: outsider.id }, { email: 'nobody@example.com' }]) {
      expect(await kit.checkMember(tenant.slug, who)).toEqual({
        ok: false,
        status: 403,
        reason: 'not_a_member',
      })
    }
  })

  it('refuses a disabled user within 5 s of being disabled', async () => {
    const tenant = await fd.createTenant()
    const user = await fd.createMember(tenant)
    const kit = fd.kit()
    expect((await kit.checkMember(tenant.slug, { userId: user.id })).ok).toBe(true)

    await fd.setUserStatus(user, 'disabled')
    fd.clock.advance(5000)

    expect(await kit.checkMember(tenant.slug, { userId: user.id })).toEqual({
      ok: false,
      status: 403,
      reason: 'disabled',
    })
  })

  it('throws tenant_not_found for an unknown tenant', async () => {
    const error = await fd
      .kit()
      .checkMember('no-such-tenant', { email: 'a@example.com' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 404, code: 'tenant_not_found' })
  })
})

describe('members, sign-ins and join requests', () => {
  it('lists the members ordered by email', async () => {
    const tenant = await fd.createTenant()
    const a = await fd.createMember(tenant)
    const b = await fd.createMember(tenant)

    const members = await fd.kit().listMembers(tenant.slug)

    const emails = members.map((m) => m.email)
    expect(emails).toEqual(expect.arrayContaining([a.email, b.email]))
    expect(emails).toEqual([...emails].sort())
  })

  it('adds a member on behalf of an admin, and the next check sees them at once', async () => {
    const tenant = await fd.createTenant()
    const admin = await fd.createMember(tenant, 'admin')
    const kit = fd.kit()
    const email = `new-${crypto.randomUUID()}@example.com`
    expect((await kit.checkMember(tenant.slug, { email })).ok).toBe(false)

    const added = await kit.addMember(tenant.slug, {
      email,
      name: 'New Person',
      role: 'member',
      actorEmail: admin.email,
    })

    expect(added).toMatchObject({ ok: true, member: { email, role: 'member' } })
    expect((await kit.checkMember(tenant.slug, { email })).ok).toBe(true)
  })

  it('answers the refusals of adding a member as values', async () => {
    const tenant = await fd.createTenant()
    const admin = await fd.createMember(tenant, 'admin')
    const member = await fd.createMember(tenant, 'member')
    const kit = fd.kit()
    const input = { name: 'X', role: 'member' as const }

    expect(
      await kit.addMember(tenant.slug, {
        ...input,
        email: 'x@example.com',
        actorEmail: member.email,
      }),
    ).toMatchObject({ ok: false, code: 'not_allowed' })
    expect(
      await kit.addMember(tenant.slug, { ...input, email: member.email, actorEmail: admin.email }),
    ).toMatchObject({ ok: false, code: 'already_member' })
  })

  it('reports a full member quota with its limit and count (seed 002)', async () => {
    const tenant = await fd.createTenant()
    const admin = await fd.createMember(tenant, 'admin')
    const kit = fd.kit()
    const resolved = await kit.resolveTenant(tenant.slug)
    if (!resolved.ok) throw new Error('tenant not active')
    const limit = resolved.tenant.quotas.members!
    const existing = (await kit.listMembers(tenant.slug)).length
    for (let i = existing; i < limit; i++) await fd.createMember(tenant)

    const refused = await kit.addMember(tenant.slug, {
      email: 'one-too-many@example.com',
      name: 'One Too Many',
      role: 'member',
      actorEmail: admin.email,
    })

    expect(refused).toMatchObject({ ok: false, code: 'quota_exceeded', limit, current: limit })
    expect(kit.entitlements(resolved.tenant).canAdd('members', limit)).toBe(false)
  })

  it('records sign-ins, successes and failures', async () => {
    const tenant = await fd.createTenant()
    const user = await fd.createMember(tenant)
    const kit = fd.kit()

    await kit.recordSignIn({ tenant: tenant.slug, email: user.email, outcome: 'succeeded' })
    fd.clock.advance(1000)
    await kit.recordSignIn({
      tenant: tenant.slug,
      email: user.email,
      outcome: 'failed',
      detail: 'bad_password',
      ip: '203.0.113.9',
      userAgent: 'test',
    })

    expect(await fd.signIns(user)).toEqual([
      { outcome: 'succeeded', detail: null },
      { outcome: 'failed', detail: 'bad_password' },
    ])
  })

  it('submits a join request, and answers a refusal as a value', async () => {
    const tenant = await fd.createTenant()
    const kit = fd.kit()

    const submitted = await kit.submitJoinRequest({ tenant: tenant.slug, email: 'j@example.com' })
    const refused = await kit.submitJoinRequest({
      tenant: 'no-such-tenant',
      email: 'j@example.com',
    })

    expect(submitted).toMatchObject({ ok: true, outcome: 'pending' })
    expect(refused).toMatchObject({ ok: false, code: 'tenant_not_found' })
  })
})

describe('flags, usage and API calls from the snapshot', () => {
  it('resolves the tenant with its flags, and isEnabled follows its plan and overrides', async () => {
    const pro = await fd.createTenant({ planId: 'professional' })
    const free = await fd.createTenant({ planId: 'free' })
    const [beta, exportKey] = [`beta-${pro.slug}`, `export-${pro.slug}`]
    await fd.createFlag({ key: beta, overrides: { [free.id]: true } })
    await fd.createFlag({ key: exportKey, planValues: { professional: true } })
    const kit = fd.kit()

    const [p, f] = [await kit.resolveTenant(pro.slug), await kit.resolveTenant(free.slug)]
    if (!p.ok || !f.ok) throw new Error('unreachable')

    expect([
      kit.entitlements(p.tenant).isEnabled(beta),
      kit.entitlements(f.tenant).isEnabled(beta),
    ]).toEqual([false, true])
    expect(kit.entitlements(p.tenant).isEnabled(exportKey)).toBe(true)
    expect(kit.entitlements(f.tenant).variant(exportKey)).toBe('off')
  })

  it('records API calls, and the next resolve sees them against api_calls_per_day', async () => {
    const tenant = await fd.createTenant({ planId: 'free' })
    const kit = fd.kit()
    const before = await kit.resolveTenant(tenant.slug)
    if (!before.ok) throw new Error('unreachable')
    const limit = before.tenant.quotas.api_calls_per_day!
    expect(before.tenant.usage.api_calls_today).toBe(0)

    const recorded = await kit.recordApiCalls(tenant.slug, limit)

    expect(recorded.api_calls_today).toBe(limit)
    expect(await fd.apiCallsToday(tenant)).toBe(limit)
    const after = await kit.resolveTenant(tenant.slug)
    if (!after.ok) throw new Error('unreachable')
    expect(after.tenant.usage.api_calls_today).toBe(limit)
    expect(kit.entitlements(after.tenant).canAdd('api_calls_per_day')).toBe(false)
  })

  it('answers a bad count as a KitError 422 and records nothing', async () => {
    const tenant = await fd.createTenant()
    const error = await fd
      .kit()
      .recordApiCalls(tenant.slug, 0)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KitError)
    expect(error).toMatchObject({ status: 422, code: 'invalid_input' })
    expect(await fd.apiCallsToday(tenant)).toBe(0)
  })
})
