import { beforeAll, describe, expect, it } from 'vitest'
import { getGlobalAllowlist } from '../db/settings.js'
import {
  auditEntries,
  auditEntriesFor,
  countRows,
  lockoutCounters,
  sessionRow,
} from '../test-support/database-state.js'
import {
  createSuperAdmin,
  createTenant,
  totpCode,
  wrongTotpCode,
  type TestAdmin,
} from '../test-support/factories.js'
import { cookieFrom, send, sessionId, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Step-up (issue #3): sensitive actions ask for a fresh TOTP code once the last one is over ten
// minutes old, and /step-up returns the operator to where they were.

const t = useTestApp()

const MINUTE = 60_000

/** The test clock plus `ms`, as the database stores it. */
function fromNow(ms: number): Date {
  return new Date(t.clock.now() + ms)
}

describe('step-up for sensitive actions', () => {
  let owner: TestAdmin

  beforeAll(async () => {
    owner = await createSuperAdmin(t.db, t.config)
  })

  /** A full session whose TOTP check is 11 minutes old (kept alive by a page view). */
  async function staleSession(who: TestAdmin = owner): Promise<string> {
    const cookie = await signIn(t.app, who, t.clock)
    t.clock.advance(11 * MINUTE)
    expect((await send(t.app, 'GET', '/account', { cookie })).status).toBe(200)
    return cookie
  }

  const referer = (path: string) => ({ referer: `http://localhost${path}` })

  it('changing the global allowlist asks for a fresh code after 10 minutes, and the list stays', async () => {
    const cookie = await staleSession()
    const saves = (await auditEntries(t.db, 'settings.ip_allowlist')).length

    const res = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: '0.0.0.0/1\n128.0.0.0/1' },
      cookie,
      headers: referer('/settings/security'),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/step-up?next=%2Fsettings%2Fsecurity')
    expect(await getGlobalAllowlist(t.db)).toEqual([])
    expect(await auditEntries(t.db, 'settings.ip_allowlist')).toHaveLength(saves)
  })

  it('signing everyone out asks for a fresh code after 10 minutes, and no session ends', async () => {
    const cookie = await staleSession()
    const before = await countRows(t.db, 'super_admin_sessions')

    const res = await send(t.app, 'POST', '/settings/security/sessions', {
      fields: { _method: 'DELETE' },
      cookie,
      headers: referer('/settings/security'),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/step-up?next=%2Fsettings%2Fsecurity')
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
  })

  it('ending all other sessions asks for a fresh code after 10 minutes, and they stay', async () => {
    const other = await signIn(t.app, owner, t.clock)
    const cookie = await staleSession()

    const res = await send(t.app, 'DELETE', '/account/sessions', {
      cookie,
      headers: referer('/account'),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/step-up?next=%2Faccount')
    expect(await sessionRow(t.db, other)).toBeDefined()
  })

  it('deleting a tenant asks for a fresh code after 10 minutes, and the tenant stays', async () => {
    const tenant = await createTenant(t.db)
    const cookie = await staleSession()

    const res = await send(t.app, 'POST', `/tenants/${tenant.id}`, {
      fields: { _method: 'DELETE', confirmSlug: tenant.slug },
      cookie,
      headers: referer(`/tenants/${tenant.id}`),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(
      `/step-up?next=${encodeURIComponent(`/tenants/${tenant.id}`)}`,
    )
    const after = await t.db
      .selectFrom('tenants')
      .select('status')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(after.status).toBe('active')
  })

  it('htmx is sent to /step-up with HX-Redirect', async () => {
    const cookie = await staleSession()

    const res = await send(t.app, 'DELETE', '/account/sessions', {
      cookie,
      headers: { 'hx-request': 'true', ...referer('/account') },
    })

    expect(res.status).toBe(403)
    expect(res.headers.get('hx-redirect')).toBe('/step-up?next=%2Faccount')
  })

  it('a valid code rotates the session id, keeps the sign-in time, and returns to next where the action now passes', async () => {
    const cookie = await staleSession()
    const old = (await sessionRow(t.db, cookie))!
    t.clock.advance(30_000)

    const res = await send(t.app, 'POST', '/step-up?next=%2Fsettings%2Fsecurity', {
      fields: { code: totpCode(owner.totpKey, t.clock.now()) },
      cookie,
    })
    const rotated = cookieFrom(res)!

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/settings/security')
    expect(sessionId(rotated)).not.toBe(old.id)
    expect(await sessionRow(t.db, cookie)).toBeUndefined()
    expect(await sessionRow(t.db, rotated)).toMatchObject({
      super_admin_id: owner.admin.id,
      two_factor_verified: true,
      created_at: old.created_at,
      totp_verified_at: new Date(t.clock.now()),
    })
    expect((await auditEntriesFor(t.db, 'auth.step_up', owner)).at(-1)?.actor_id).toBe(
      owner.admin.id,
    )
    const again = await send(t.app, 'POST', '/settings/security', {
      fields: { allowlist: '' },
      cookie: rotated,
    })
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe('/settings/security')
  })

  it('a wrong code answers 422 and leaves the session as it was', async () => {
    const cookie = await staleSession()
    const before = await sessionRow(t.db, cookie)

    const res = await send(t.app, 'POST', '/step-up?next=%2Faccount', {
      fields: { code: wrongTotpCode(owner.totpKey, t.clock.now()) },
      cookie,
    })

    expect(res.status).toBe(422)
    expect(cookieFrom(res)).toBeUndefined()
    expect(await sessionRow(t.db, cookie)).toEqual(before)
    expect((await auditEntriesFor(t.db, 'auth.step_up.failed', owner)).at(-1)?.after).toMatchObject(
      {
        outcome: 'bad_totp',
      },
    )
    await t.db
      .updateTable('super_admins')
      .set({ failed_totp_count: 0 })
      .where('id', '=', owner.admin.id)
      .execute()
  })

  it('a code already used for step-up is refused the second time and audited as a replay', async () => {
    const cookie = await staleSession()
    t.clock.advance(30_000)
    const code = totpCode(owner.totpKey, t.clock.now())
    const rotated = cookieFrom(await send(t.app, 'POST', '/step-up', { fields: { code }, cookie }))!
    const replaysBefore = (await auditEntriesFor(t.db, 'auth.totp.replayed', owner)).length

    const res = await send(t.app, 'POST', '/step-up', { fields: { code }, cookie: rotated })

    expect(res.status).toBe(422)
    expect(await sessionRow(t.db, rotated)).toBeDefined()
    expect(await auditEntriesFor(t.db, 'auth.totp.replayed', owner)).toHaveLength(replaysBefore + 1)
    await t.db
      .updateTable('super_admins')
      .set({ failed_totp_count: 0, totp_replay_at: null })
      .where('id', '=', owner.admin.id)
      .execute()
  })

  it('next cannot send the operator to another site', async () => {
    const cookie = await staleSession()
    t.clock.advance(30_000)

    const page = await (await send(t.app, 'GET', '/step-up?next=%2F%2Fevil.com', { cookie })).text()
    const res = await send(
      t.app,
      'POST',
      `/step-up?next=${encodeURIComponent('https://evil.com/x')}`,
      {
        fields: { code: totpCode(owner.totpKey, t.clock.now()) },
        cookie,
      },
    )

    expect(page).toContain('action="/step-up?next=%2F"')
    expect(page).not.toContain('evil.com')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
  })

  it('five wrong codes lock the account and end the session in the database', async () => {
    const bea = await createSuperAdmin(t.db, t.config)
    const cookie = await staleSession(bea)
    const wrong = () => ({ code: wrongTotpCode(bea.totpKey, t.clock.now()) })
    for (let i = 0; i < 4; i++) {
      expect((await send(t.app, 'POST', '/step-up', { fields: wrong(), cookie })).status).toBe(422)
    }

    const fifth = await send(t.app, 'POST', '/step-up', { fields: wrong(), cookie })

    expect(fifth.status).toBe(303)
    expect(fifth.headers.get('location')).toBe('/login')
    expect(fifth.headers.getSetCookie().join()).toMatch(/fleetdeck_session=;/)
    expect(await sessionRow(t.db, cookie)).toBeUndefined()
    expect(await lockoutCounters(t.db, bea)).toMatchObject({
      failed_totp_count: 5,
      locked_until: fromNow(15 * MINUTE),
    })
    expect((await send(t.app, 'GET', '/tenants', { cookie })).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
  })
})
