import { beforeAll, describe, expect, it } from 'vitest'
import { SIGN_IN_FAILED } from '../auth/sign-in.js'
import { insertSuperAdmin } from '../db/super-admins.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import {
  createSuperAdmin,
  createTenant,
  totpCode,
  wrongTotpCode,
  type TestAdmin,
} from '../test-support/factories.js'
import {
  cookieFrom,
  getPage,
  postForm,
  sendForm,
  signIn,
  signInWithPasswordOnly,
} from '../test-support/requests.js'
import { textOf } from '../test-support/html.js'
import { useTestApp } from '../test-support/test-app.js'

const t = useTestApp()

/** The session row behind a `fleetdeck_session=id.secret` cookie. */
function sessionRow(cookie: string) {
  const id = cookie.split('=')[1].split('.')[0]
  return t.db.selectFrom('super_admin_sessions').selectAll().where('id', '=', id).executeTakeFirst()
}

function alertText(html: string): string | undefined {
  return /<p role="alert"[^>]*>([^<]*)<\/p>/.exec(html)?.[1]
}

describe('the password step', () => {
  let ada: TestAdmin

  beforeAll(async () => {
    ada = await createSuperAdmin(t.db, t.config)
  })

  it('GET /login shows the sign-in form without a session', async () => {
    const res = await getPage(t.app, '/login')
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(body).toContain('<label for="field-email"')
    expect(body).toContain('<label for="field-password"')
  })

  it('a wrong password answers 401 with the same message as an unknown email, and is audited', async () => {
    const auditBefore = await countRows(t.db, 'audit_log')

    const wrong = await postForm(t.app, '/login', {
      email: ada.admin.email,
      password: 'not the password',
    })
    const unknown = await postForm(t.app, '/login', {
      email: 'nobody@example.com',
      password: 'not the password',
    })

    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(alertText(await wrong.text())).toBe(SIGN_IN_FAILED)
    expect(alertText(await unknown.text())).toBe(SIGN_IN_FAILED)
    expect(cookieFrom(wrong)).toBeUndefined()
    expect(await countRows(t.db, 'audit_log')).toBe(auditBefore + 2)
    const failures = (await auditEntries(t.db, 'auth.login.failed')).slice(-2)
    expect(failures.map((f) => [f.actor_id, f.after])).toEqual([
      [ada.admin.id, { email: ada.admin.email, outcome: 'bad_password' }],
      [null, { email: 'nobody@example.com', outcome: 'bad_password' }],
    ])
  })

  it('a form without fields answers 401 and opens no session', async () => {
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const res = await postForm(t.app, '/login', {})

    expect(res.status).toBe(401)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore)
  })

  it('the right password of an inactive admin is refused like a wrong one', async () => {
    const gone = await createSuperAdmin(t.db, t.config, { isActive: false })
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const res = await postForm(t.app, '/login', {
      email: gone.admin.email,
      password: gone.password,
    })

    expect(res.status).toBe(401)
    expect(alertText(await res.text())).toBe(SIGN_IN_FAILED)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore)
  })

  it('an admin without a password (enrolment pending) cannot sign in', async () => {
    const pending = await insertSuperAdmin(t.db, {
      email: `pending-${Date.now()}@example.com`,
      name: 'Pending',
      role: 'viewer',
    })

    const res = await postForm(t.app, '/login', { email: pending.email, password: '' })

    expect(res.status).toBe(401)
  })

  it('the right password opens a half session and sends the admin to the TOTP step', async () => {
    const res = await postForm(t.app, '/login', {
      email: ada.admin.email.toUpperCase(),
      password: ada.password,
    })
    const cookie = cookieFrom(res)!

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login/totp')
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i)
    expect(res.headers.get('set-cookie')).toMatch(/SameSite=Strict/i)
    expect(await sessionRow(cookie)).toMatchObject({
      super_admin_id: ada.admin.id,
      two_factor_verified: false,
      totp_verified_at: null,
    })
    expect((await auditEntries(t.db, 'auth.login.password_ok')).at(-1)?.actor_id).toBe(ada.admin.id)
  })

  it('under htmx the right password answers HX-Redirect instead of a 303', async () => {
    const res = await postForm(
      t.app,
      '/login',
      { email: ada.admin.email, password: ada.password },
      undefined,
      { 'HX-Request': 'true' },
    )

    expect(res.status).toBe(200)
    expect(res.headers.get('hx-redirect')).toBe('/login/totp')
  })

  it('an admin whose TOTP is not enrolled is sent to enrolment after the password', async () => {
    const half = await createSuperAdmin(t.db, t.config)
    await t.db
      .updateTable('super_admins')
      .set({ mfa_enabled: false })
      .where('id', '=', half.admin.id)
      .execute()

    const res = await postForm(t.app, '/login', {
      email: half.admin.email,
      password: half.password,
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/enrol/totp')
  })
})

describe('the TOTP step', () => {
  let ada: TestAdmin

  beforeAll(async () => {
    ada = await createSuperAdmin(t.db, t.config)
  })

  it('GET /login/totp asks for the code of a half session, and sends others to /login', async () => {
    const half = await signInWithPasswordOnly(t.app, ada)

    const page = await getPage(t.app, '/login/totp', half)
    const none = await getPage(t.app, '/login/totp')

    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<label for="field-code"')
    expect(none.status).toBe(303)
    expect(none.headers.get('location')).toBe('/login')
  })

  it('POST /login/totp without a session goes to /login and opens nothing', async () => {
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const res = await postForm(t.app, '/login/totp', { code: totpCode(ada.totpKey, t.clock.now()) })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore)
  })

  it('a wrong code answers 401, keeps the session half, and is audited', async () => {
    t.clock.advance(30_000)
    const half = await signInWithPasswordOnly(t.app, ada)
    const wrong = wrongTotpCode(ada.totpKey, t.clock.now())

    const res = await postForm(t.app, '/login/totp', { code: wrong }, half)

    expect(res.status).toBe(401)
    expect(await res.text()).toContain('That code is not valid')
    expect(cookieFrom(res)).toBeUndefined()
    expect((await sessionRow(half))?.two_factor_verified).toBe(false)
    const failure = (await auditEntries(t.db, 'auth.login.failed')).at(-1)
    expect(failure).toMatchObject({ actor_id: ada.admin.id, after: { outcome: 'bad_totp' } })
    expect(await getPage(t.app, '/tenants', half)).toHaveProperty('status', 303)
  })

  it('full sign-in replaces the half session with a verified one that opens the dashboard', async () => {
    t.clock.advance(30_000)
    const half = await signInWithPasswordOnly(t.app, ada)

    const res = await postForm(
      t.app,
      '/login/totp',
      { code: totpCode(ada.totpKey, t.clock.now()) },
      half,
    )
    const full = cookieFrom(res)!

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
    expect(full).not.toBe(half)
    expect(await sessionRow(half)).toBeUndefined()
    expect(await sessionRow(full)).toMatchObject({
      super_admin_id: ada.admin.id,
      two_factor_verified: true,
      totp_verified_at: new Date(t.clock.now()),
    })
    const admin = await t.db
      .selectFrom('super_admins')
      .selectAll()
      .where('id', '=', ada.admin.id)
      .executeTakeFirstOrThrow()
    expect(admin.last_login_at).toEqual(new Date(t.clock.now()))
    expect((await auditEntries(t.db, 'auth.login')).at(-1)?.actor_id).toBe(ada.admin.id)
    const tenants = await getPage(t.app, '/tenants', full)
    expect(tenants.status).toBe(200)
    expect(textOf(await tenants.text(), 'h1')).toBe('Tenants')
  })

  it('the same code is refused when replayed after a successful sign-in', async () => {
    t.clock.advance(30_000)
    const code = totpCode(ada.totpKey, t.clock.now())
    const first = await signInWithPasswordOnly(t.app, ada)
    expect((await postForm(t.app, '/login/totp', { code }, first)).status).toBe(303)
    const second = await signInWithPasswordOnly(t.app, ada)

    const replay = await postForm(t.app, '/login/totp', { code }, second)

    expect(replay.status).toBe(401)
    expect((await sessionRow(second))?.two_factor_verified).toBe(false)
  })

  it('GET /login and /login/totp send a fully signed-in admin on to the dashboard', async () => {
    const full = await signIn(t.app, ada, t.clock)

    for (const path of ['/login', '/login/totp']) {
      const res = await getPage(t.app, path, full)
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/')
    }
  })

  it('a forged session cookie is ignored and cleared', async () => {
    const full = await signIn(t.app, ada, t.clock)
    const forged = full.replace(/\.[a-z2-7]+$/, `.${'a'.repeat(32)}`)

    const res = await getPage(t.app, '/tenants', forged)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect((await sessionRow(full))?.two_factor_verified).toBe(true)
  })
})

describe('sign-out and session limits', () => {
  let ada: TestAdmin

  beforeAll(async () => {
    ada = await createSuperAdmin(t.db, t.config)
  })

  it('logout deletes the session row, clears the cookie and writes auth.logout', async () => {
    const full = await signIn(t.app, ada, t.clock)

    const res = await postForm(t.app, '/logout', {}, full)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(res.headers.getSetCookie().join()).toMatch(/fleetdeck_session=;/)
    expect(await sessionRow(full)).toBeUndefined()
    expect((await auditEntries(t.db, 'auth.logout')).at(-1)).toMatchObject({
      actor_id: ada.admin.id,
      actor_email: ada.admin.email,
    })
    expect((await getPage(t.app, '/tenants', full)).status).toBe(303)
  })

  it('logout without a session just goes to /login and writes nothing', async () => {
    const auditBefore = await countRows(t.db, 'audit_log')

    const res = await postForm(t.app, '/logout', {})

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(await countRows(t.db, 'audit_log')).toBe(auditBefore)
  })

  it('a session idle for 31 minutes goes back to /login and its row is deleted', async () => {
    const full = await signIn(t.app, ada, t.clock)
    expect((await getPage(t.app, '/tenants', full)).status).toBe(200)

    t.clock.advance(31 * 60_000)
    const res = await getPage(t.app, '/tenants', full)

    expect(res.status).toBe(303)
    // Since issue #6 item 16 the address also says why and where the operator was.
    expect(res.headers.get('location')).toBe('/login?ended=idle&next=%2Ftenants')
    expect(await sessionRow(full)).toBeUndefined()
  })

  it('a request with x-fleetdeck-poll does not extend last_active_at; a normal one does', async () => {
    const full = await signIn(t.app, ada, t.clock)
    const signedInAt = (await sessionRow(full))!.last_active_at

    t.clock.advance(20 * 60_000)
    expect((await getPage(t.app, '/tenants', full, { 'x-fleetdeck-poll': '1' })).status).toBe(200)
    expect((await sessionRow(full))!.last_active_at).toEqual(signedInAt)

    expect((await getPage(t.app, '/tenants', full)).status).toBe(200)
    expect((await sessionRow(full))!.last_active_at).toEqual(new Date(t.clock.now()))
  })

  it('polling alone does not keep a session alive past the idle limit', async () => {
    const full = await signIn(t.app, ada, t.clock)

    for (let minute = 10; minute <= 30; minute += 10) {
      t.clock.advance(10 * 60_000)
      await getPage(t.app, '/tenants', full, { 'x-fleetdeck-poll': '1' })
    }

    expect((await getPage(t.app, '/tenants', full)).status).toBe(303)
    expect(await sessionRow(full)).toBeUndefined()
  })

  it('deactivating an admin ends their session on the next request', async () => {
    const bea = await createSuperAdmin(t.db, t.config)
    const full = await signIn(t.app, bea, t.clock)
    await t.db
      .updateTable('super_admins')
      .set({ is_active: false })
      .where('id', '=', bea.admin.id)
      .execute()

    const res = await getPage(t.app, '/tenants', full)

    expect(res.status).toBe(303)
    expect(await sessionRow(full)).toBeUndefined()
  })
})

describe('the console guard', () => {
  let ada: TestAdmin
  let tenantId: string

  beforeAll(async () => {
    ada = await createSuperAdmin(t.db, t.config)
    tenantId = (await createTenant(t.db)).id
  })

  /** Every console route, with a body that would change something if it were let through. */
  function consoleRequests(): [method: string, path: string, fields?: Record<string, string>][] {
    return [
      ['GET', '/tenants'],
      ['GET', '/tenants/new'],
      ['GET', `/tenants/${tenantId}`],
      ['GET', '/audit'],
      [
        'POST',
        '/tenants',
        {
          slug: 'sneaky',
          name: 'Sneaky',
          planId: 'free',
          billingEmail: 'a@example.com',
          firstAdminEmail: 'b@example.com',
          firstAdminName: 'B',
        },
      ],
      [
        'POST',
        `/tenants/${tenantId}`,
        { name: 'Renamed', planId: 'enterprise', billingEmail: 'new@example.com' },
      ],
      ['DELETE', `/tenants/${tenantId}`, { confirmSlug: 'whatever' }],
      ['POST', `/tenants/${tenantId}`, { _method: 'DELETE', confirmSlug: 'whatever' }],
      ['POST', `/tenants/${tenantId}/suspension`, {}],
      ['DELETE', `/tenants/${tenantId}/suspension`, {}],
      ['POST', `/tenants/${tenantId}/onboarding`, {}],
    ]
  }

  async function state() {
    const tenants = await t.db.selectFrom('tenants').selectAll().orderBy('id').execute()
    return {
      tenants,
      audit: await countRows(t.db, 'audit_log'),
      memberships: await countRows(t.db, 'memberships'),
    }
  }

  async function expectRefused(cookie: string | undefined) {
    for (const [method, path, fields] of consoleRequests()) {
      const res = fields
        ? await sendForm(t.app, method, path, fields, cookie)
        : await getPage(t.app, path, cookie)
      expect([method, path, res.status, res.headers.get('location')]).toEqual([
        method,
        path,
        303,
        '/login',
      ])

      const htmx = fields
        ? await sendForm(t.app, method, path, fields, cookie, { 'HX-Request': 'true' })
        : await getPage(t.app, path, cookie, { 'HX-Request': 'true' })
      expect([method, path, htmx.status, htmx.headers.get('hx-redirect')]).toEqual([
        method,
        path,
        401,
        '/login',
      ])
      expect(await htmx.text()).toBe('')
    }
  }

  it('GET / (the dashboard) without a session goes to sign-in', async () => {
    const res = await getPage(t.app, '/')

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
  })

  it('without a session every console route goes to /login (htmx gets HX-Redirect) and nothing changes', async () => {
    const before = await state()

    await expectRefused(undefined)

    expect(await state()).toEqual(before)
  })

  it('a password without TOTP does not open the tenants table, nor any other console route', async () => {
    const half = await signInWithPasswordOnly(t.app, ada)
    const before = await state()

    await expectRefused(half)

    expect(await state()).toEqual(before)
    expect((await sessionRow(half))?.two_factor_verified).toBe(false)
  })

  it('a verified session of an admin whose TOTP was reset is refused too', async () => {
    const full = await signIn(t.app, ada, t.clock)
    await t.db
      .updateTable('super_admins')
      .set({ mfa_enabled: false })
      .where('id', '=', ada.admin.id)
      .execute()
    const before = await state()

    await expectRefused(full)

    expect(await state()).toEqual(before)
  })
})
