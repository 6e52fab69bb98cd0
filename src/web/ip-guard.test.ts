import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SIGN_IN_FAILED } from '../auth/sign-in.js'
import { getGlobalAllowlist, setGlobalAllowlist } from '../db/settings.js'
import {
  auditEntries,
  auditEntriesFor,
  countRows,
  signInOutcomes,
  superAdminRow,
} from '../test-support/database-state.js'
import { createSuperAdmin, type TestAdmin } from '../test-support/factories.js'
import { alertText } from '../test-support/html.js'
import {
  cookieFrom,
  login,
  OPERATOR_IP,
  OUTSIDE_IP,
  send,
  signInFrom,
} from '../test-support/requests.js'
import { createTestAppWith, useTestApp, type TestApp } from '../test-support/test-app.js'

// The IP allowlists end to end (issue #3): the global list saved at /settings/security and an
// admin's own list saved at /account, enforced by the ip guard on every request and at sign-in.

const t = useTestApp()

const MINUTE = 60_000

describe('the global IP allowlist', () => {
  let owner: TestAdmin
  let cookie: string
  let proxied: TestApp

  beforeAll(async () => {
    owner = await createSuperAdmin(t.db, t.config)
    proxied = await createTestAppWith({ TRUST_PROXY: 'loopback' }, t)
  })

  afterEach(async () => {
    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, [], owner.admin.id, new Date()))
  })

  /** Signs in from the operator's address and saves `entries` through the settings page. */
  async function saveList(entries: string[]) {
    cookie = await signInFrom(t.app, t.clock, owner, OPERATOR_IP)
    const res = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: entries.join('\n') },
      cookie,
      ip: OPERATOR_IP,
    })
    expect(res.status).toBe(303)
  }

  it('an owner saves the list from an address on it; the change is audited', async () => {
    await saveList(['203.0.113.0/24', '2001:db8::/32'])

    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24', '2001:db8::/32'])
    expect((await auditEntries(t.db, 'settings.ip_allowlist')).at(-1)).toMatchObject({
      actor_id: owner.admin.id,
      ip: OPERATOR_IP,
      after: { ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] },
    })
  })

  it('an address outside the list gets a 403 page at /login, audited as security.ip_refused with the address', async () => {
    await saveList(['203.0.113.0/24'])

    const res = await send(t.app, 'GET', '/login', { ip: OUTSIDE_IP })

    expect(res.status).toBe(403)
    expect(await res.text()).toContain(`Your address (${OUTSIDE_IP}) is not on the allowlist.`)
    expect((await auditEntries(t.db, 'security.ip_refused')).at(-1)).toMatchObject({
      ip: OUTSIDE_IP,
      target_id: OUTSIDE_IP,
      after: { ip: OUTSIDE_IP, list: 'global', method: 'GET', path: '/login' },
    })
  })

  it('the right password from outside the list is refused before any other work: no session, no attempt recorded', async () => {
    await saveList(['203.0.113.0/24'])
    const before = [
      await countRows(t.db, 'super_admin_sessions'),
      await countRows(t.db, 'sign_in_attempts'),
    ]

    const res = await login(t.app, owner, { ip: OUTSIDE_IP })

    expect(res.status).toBe(403)
    expect(cookieFrom(res)).toBeUndefined()
    expect([
      await countRows(t.db, 'super_admin_sessions'),
      await countRows(t.db, 'sign_in_attempts'),
    ]).toEqual(before)
  })

  it('a signed-in session is refused from outside the list on console pages and actions, and nothing changes', async () => {
    await saveList(['203.0.113.0/24'])
    const before = await countRows(t.db, 'super_admin_sessions')

    const page = await send(t.app, 'GET', '/tenants', { cookie, ip: OUTSIDE_IP })
    const signOutAll = await send(t.app, 'POST', '/settings/security/sessions', {
      fields: { _method: 'DELETE' },
      cookie,
      ip: OUTSIDE_IP,
    })
    const clearList = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: '' },
      cookie,
      ip: OUTSIDE_IP,
    })

    expect([page.status, signOutAll.status, clearList.status]).toEqual([403, 403, 403])
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24'])
  })

  it('a request whose address is unknown is refused while a list is set', async () => {
    await saveList(['203.0.113.0/24'])

    expect((await send(t.app, 'GET', '/login')).status).toBe(403)
  })

  it('/healthz and /readyz stay open outside the list', async () => {
    await saveList(['203.0.113.0/24'])

    expect((await send(t.app, 'GET', '/healthz', { ip: OUTSIDE_IP })).status).toBe(200)
    expect((await send(t.app, 'GET', '/readyz', { ip: OUTSIDE_IP })).status).toBe(200)
  })

  it('a spoofed X-Forwarded-For from an untrusted peer is ignored', async () => {
    await saveList(['203.0.113.0/24'])
    const headers = { 'x-forwarded-for': OPERATOR_IP }

    const outside = await send(t.app, 'GET', '/login', { ip: OUTSIDE_IP, headers })
    const loopback = await send(t.app, 'GET', '/login', { ip: '127.0.0.1', headers })

    expect(outside.status).toBe(403)
    expect(loopback.status).toBe(403)
    expect(await loopback.text()).toContain('Your address (127.0.0.1)')
  })

  it('X-Forwarded-For from a trusted proxy (TRUST_PROXY=loopback) is honoured, both ways', async () => {
    await saveList(['203.0.113.0/24'])
    const app = proxied.app

    const inside = await send(app, 'GET', '/login', {
      ip: '127.0.0.1',
      headers: { 'x-forwarded-for': OPERATOR_IP },
    })
    const outside = await send(app, 'GET', '/login', {
      ip: '::ffff:127.0.0.1',
      headers: { 'x-forwarded-for': '192.0.2.99' },
    })

    expect(inside.status).toBe(200)
    expect(outside.status).toBe(403)
    expect((await auditEntries(t.db, 'security.ip_refused')).at(-1)).toMatchObject({
      ip: '192.0.2.99',
    })
  })

  it('refusals of one address are audited at most once a minute, so a blocked client cannot flood the log', async () => {
    await saveList(['203.0.113.0/24'])
    const ip = '192.0.2.77'
    const entries = async () =>
      (await auditEntries(t.db, 'security.ip_refused')).filter((e) => e.ip === ip)

    for (let i = 0; i < 3; i++) await send(t.app, 'GET', '/login', { ip })
    const inOneMinute = (await entries()).length
    t.clock.advance(MINUTE)
    await send(t.app, 'GET', '/login', { ip })

    expect(inOneMinute).toBe(1)
    expect(await entries()).toHaveLength(2)
  })

  it("saving a list that would shut out the operator's own address is refused with 422 and the list stays", async () => {
    await saveList(['203.0.113.0/24'])
    const auditBefore = await countRows(t.db, 'audit_log')

    const res = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: '198.51.100.0/24' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain(`does not include your own address (${OPERATOR_IP})`)
    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24'])
    expect(await countRows(t.db, 'audit_log')).toBe(auditBefore)
  })

  it('an entry that is not an address or range is refused with 422 and the list stays', async () => {
    await saveList(['203.0.113.0/24'])

    const res = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: '203.0.113.0/24\noffice.example.com' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('“office.example.com” is not an IP address or CIDR range.')
    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24'])
  })

  it('an empty list lifts the restriction', async () => {
    await saveList(['203.0.113.0/24'])

    const res = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: '' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(303)
    expect(await getGlobalAllowlist(t.db)).toEqual([])
    expect((await send(t.app, 'GET', '/login', { ip: OUTSIDE_IP })).status).toBe(200)
  })

  it('an admin without saas.settings.edit cannot change the list', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const adminCookie = await signInFrom(t.app, t.clock, admin, OPERATOR_IP)

    const res = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: OPERATOR_IP },
      cookie: adminCookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(403)
    expect(await getGlobalAllowlist(t.db)).toEqual([])
  })
})

describe("an admin's own IP allowlist", () => {
  let ada: TestAdmin
  let cookie: string

  beforeAll(async () => {
    ada = await createSuperAdmin(t.db, t.config)
    cookie = await signInFrom(t.app, t.clock, ada, OPERATOR_IP)
    const res = await send(t.app, 'POST', '/account/allowlist', {
      fields: { allowlist: '203.0.113.0/24' },
      cookie,
      ip: OPERATOR_IP,
    })
    expect(res.status).toBe(303)
  })

  it('is saved from /account with the operator on it, and audited', async () => {
    expect((await superAdminRow(t.db, ada)).ip_allowlist).toEqual(['203.0.113.0/24'])
    expect(
      (await auditEntriesFor(t.db, 'super_admin.allowlist', ada)).map((e) => [e.before, e.after]),
    ).toEqual([[{ ipAllowlist: [] }, { ipAllowlist: ['203.0.113.0/24'] }]])
  })

  it('refuses their session from another address with a 403 page, audited with the address', async () => {
    const elsewhere = '198.51.100.20'

    const res = await send(t.app, 'GET', '/tenants', { cookie, ip: elsewhere })

    expect(res.status).toBe(403)
    expect(await res.text()).toContain(`Your address (${elsewhere}) is not on the allowlist.`)
    expect((await auditEntries(t.db, 'security.ip_refused')).at(-1)).toMatchObject({
      actor_id: ada.admin.id,
      ip: elsewhere,
      after: { ip: elsewhere, list: 'admin', path: '/tenants' },
    })
    expect((await send(t.app, 'GET', '/tenants', { cookie, ip: OPERATOR_IP })).status).toBe(200)
  })

  it('refuses their right password from another address exactly like a wrong one, and records why', async () => {
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const res = await login(t.app, ada, { ip: '192.0.2.55' })

    expect(res.status).toBe(401)
    expect(alertText(await res.text())).toBe(SIGN_IN_FAILED)
    expect(cookieFrom(res)).toBeUndefined()
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore)
    expect((await signInOutcomes(t.db, ada)).at(-1)).toBe('ip_refused')
    expect((await auditEntriesFor(t.db, 'auth.login.ip_refused', ada)).at(-1)).toMatchObject({
      ip: '192.0.2.55',
    })
  })

  it('does not bind other admins', async () => {
    const bea = await createSuperAdmin(t.db, t.config)

    expect((await login(t.app, bea, { ip: OUTSIDE_IP })).status).toBe(303)
  })

  it("saving a list that would shut out the admin's own address is refused with 422 and the list stays", async () => {
    const res = await send(t.app, 'POST', '/account/allowlist', {
      fields: { allowlist: '198.51.100.0/24' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain(`does not include your own address (${OPERATOR_IP})`)
    expect((await superAdminRow(t.db, ada)).ip_allowlist).toEqual(['203.0.113.0/24'])
  })
})
