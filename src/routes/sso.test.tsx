import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOTP_PERIOD_SECONDS } from '../auth/totp.js'
import { auditEntries, countRows, superAdminRow } from '../test-support/database-state.js'
import { createSuperAdmin, totpCode, type TestAdmin } from '../test-support/factories.js'
import { textOf } from '../test-support/html.js'
import { startOidcProvider, type TestIdp } from '../test-support/oidc-provider.js'
import { cookieFrom, getPage, login, postForm, send } from '../test-support/requests.js'
import { testConfig, useTestApp } from '../test-support/test-app.js'

// Sign-in through a real OpenID Provider (oidc-provider on 127.0.0.1), through the app's routes.

const CALLBACK = `${testConfig().publicUrl}/login/sso/oidc/callback`
const STATE_COOKIE = 'fleetdeck_sso_state'
const env: Record<string, string> = {}
let idp: TestIdp

// Registered before useTestApp's hook, so the app is configured with the running provider.
beforeAll(async () => {
  idp = await startOidcProvider({
    redirectUri: CALLBACK,
    accounts: [
      { id: 'ada', email: 'ada.sso@example.com', emailVerified: true },
      { id: 'bob', email: 'bob.sso@example.com', emailVerified: false },
      { id: 'stranger', email: 'stranger@example.com', emailVerified: true },
      { id: 'gone', email: 'gone.sso@example.com', emailVerified: true },
      { id: 'sol', email: 'sol.sso@example.com', emailVerified: true },
    ],
  })
  Object.assign(env, {
    SSO_PROVIDERS: 'oidc',
    SSO_OIDC_ISSUER: idp.issuer,
    SSO_OIDC_CLIENT_ID: idp.client.id,
    SSO_OIDC_CLIENT_SECRET: idp.client.secret,
    SSO_OIDC_NAME: 'Acme SSO',
  })
})
afterAll(() => idp?.close())

const t = useTestApp(env)

let ada: TestAdmin
beforeAll(async () => {
  // Stored with other capitals than the provider sends: the match is case-insensitive.
  ada = await createSuperAdmin(t.db, t.config, { email: 'Ada.SSO@Example.com' })
  await createSuperAdmin(t.db, t.config, { email: 'bob.sso@example.com' })
  await createSuperAdmin(t.db, t.config, { email: 'gone.sso@example.com', isActive: false })
})

/** Presses "Continue with Acme SSO": the provider's URL and the cookie binding this browser. */
async function start() {
  const res = await send(t.app, 'POST', '/login/sso/oidc')
  expect(res.status).toBe(302)
  const cookie = cookieFrom(res, STATE_COOKIE)
  expect(cookie).toBeDefined()
  return { url: res.headers.get('location')!, cookie: cookie! }
}

/** Signs in at the provider as `account`; the callback URL it sends the browser back to. */
async function atProvider(url: string, account: string) {
  const back = await idp.authorize(url, account)
  expect(back.href.startsWith(CALLBACK)).toBe(true)
  return `${back.pathname}${back.search}`
}

function alert(html: string) {
  return textOf(html, '[role=alert]')
}

async function refusals(reason: string) {
  return (await auditEntries(t.db, 'auth.login.sso_refused')).filter(
    (e) => (e.after as { reason: string }).reason === reason,
  )
}

describe('signing in through the identity provider', () => {
  it('asks for PKCE S256, a state and a nonce, and binds the state to the browser', async () => {
    const { url, cookie } = await start()
    const params = new URL(url).searchParams
    expect(url.startsWith(`${idp.issuer}/auth?`)).toBe(true)
    expect(params.get('code_challenge_method')).toBe('S256')
    expect(params.get('scope')).toBe('openid email profile')
    expect(params.get('redirect_uri')).toBe(CALLBACK)
    const row = await t.db
      .selectFrom('sso_states')
      .selectAll()
      .where('state', '=', params.get('state')!)
      .executeTakeFirstOrThrow()
    expect(row.nonce).toBe(params.get('nonce'))
    expect(cookie).toBe(`${STATE_COOKIE}=${row.state}`)
  })

  it('opens only a half session: the TOTP step follows, then the console', async () => {
    const { url, cookie } = await start()
    const res = await getPage(t.app, await atProvider(url, 'ada'), cookie)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('url=/login/totp')
    const half = cookieFrom(res)!
    expect(half).toBeDefined()
    // Not yet a console session.
    const early = await getPage(t.app, '/', half)
    expect(early.status).toBe(303)
    expect(early.headers.get('location')).toMatch(/^\/login/)
    const totpPage = await getPage(t.app, '/login/totp', half)
    expect(await totpPage.text()).toContain('Ada.SSO@Example.com')
    t.clock.advance(TOTP_PERIOD_SECONDS * 1000)
    const code = totpCode(ada.totpKey, t.clock.now())
    const done = await postForm(t.app, '/login/totp', { code }, half)
    expect(done.status).toBe(303)
    const full = cookieFrom(done)!
    expect((await getPage(t.app, '/', full)).status).toBe(200)
    const ok = await auditEntries(t.db, 'auth.login.sso_ok')
    expect(ok.at(-1)?.target_id).toBe(ada.admin.id)
    expect(ok.at(-1)?.after).toEqual({ provider: 'oidc' })
    expect((await auditEntries(t.db, 'auth.login')).at(-1)?.target_id).toBe(ada.admin.id)
  })

  it('shows one button per provider on the sign-in page, and lets its form reach the provider', async () => {
    const res = await getPage(t.app, '/login')
    const html = await res.text()
    expect(html).toContain('Continue with Acme SSO')
    expect(html).toContain('action="/login/sso/oidc"')
    expect(res.headers.get('content-security-policy')).toContain(`form-action 'self' ${idp.issuer}`)
  })

  it('answers 404 for a provider that is not configured', async () => {
    expect((await send(t.app, 'POST', '/login/sso/google')).status).toBe(404)
    expect((await getPage(t.app, '/login/sso/github/callback?state=x&code=y')).status).toBe(404)
  })
})

describe('refusals, each changing nothing but the audit log', () => {
  async function refusedWithoutSession(res: Response, reason: string, before: number) {
    expect(res.status).toBe(401)
    expect(cookieFrom(res)).toBeUndefined()
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
    expect(await refusals(reason)).not.toHaveLength(0)
  }

  it('refuses an email that no operator has, and never creates one', async () => {
    const admins = await countRows(t.db, 'super_admins')
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const { url, cookie } = await start()
    const res = await getPage(t.app, await atProvider(url, 'stranger'), cookie)
    expect(alert(await res.clone().text())).toContain('No active operator account')
    await refusedWithoutSession(res, 'unknown_email', sessions)
    expect(await countRows(t.db, 'super_admins')).toBe(admins)
  })

  it('refuses an email the provider has not verified', async () => {
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const { url, cookie } = await start()
    const res = await getPage(t.app, await atProvider(url, 'bob'), cookie)
    expect(alert(await res.clone().text())).toContain('not verified')
    await refusedWithoutSession(res, 'email_unverified', sessions)
  })

  it('refuses a deactivated operator', async () => {
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const { url, cookie } = await start()
    const res = await getPage(t.app, await atProvider(url, 'gone'), cookie)
    await refusedWithoutSession(res, 'inactive', sessions)
  })

  it('refuses an ID token issued to another client (wrong audience)', async () => {
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const { url, cookie } = await start()
    // A genuine token from the same provider, same account and nonce: only the audience differs.
    const nonce = new URL(url).searchParams.get('nonce')!
    idp.replaceNextIdToken(await idp.idTokenFor(idp.otherClient, 'ada', nonce))
    const res = await getPage(t.app, await atProvider(url, 'ada'), cookie)
    await refusedWithoutSession(res, 'invalid_id_token', sessions)
  })

  it('refuses the same callback twice (replayed state)', async () => {
    const { url, cookie } = await start()
    const back = await atProvider(url, 'ada')
    expect((await getPage(t.app, back, cookie)).status).toBe(200)
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const again = await getPage(t.app, back, cookie)
    expect(alert(await again.clone().text())).toContain('already used')
    await refusedWithoutSession(again, 'state_unknown', sessions)
  })

  it('refuses an ID token whose nonce is not the one stored for this sign-in', async () => {
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const { url, cookie } = await start()
    const state = new URL(url).searchParams.get('state')!
    await t.db
      .updateTable('sso_states')
      .set({ nonce: 'tampered' })
      .where('state', '=', state)
      .execute()
    const res = await getPage(t.app, await atProvider(url, 'ada'), cookie)
    await refusedWithoutSession(res, 'nonce_mismatch', sessions)
  })

  it('refuses a callback in a browser that did not start the sign-in (state cookie mismatch)', async () => {
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const { url } = await start()
    const other = await start()
    const back = await atProvider(url, 'ada')
    const res = await getPage(t.app, back, other.cookie)
    await refusedWithoutSession(res, 'state_mismatch', sessions)
    // The state was consumed all the same: the right browser cannot use it afterwards either.
    expect(
      await t.db
        .selectFrom('sso_states')
        .where('state', '=', new URL(url).searchParams.get('state')!)
        .selectAll()
        .execute(),
    ).toEqual([])
  })

  it('refuses a sign-in that came back after more than 10 minutes', async () => {
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const { url, cookie } = await start()
    const back = await atProvider(url, 'ada')
    t.clock.advance(11 * 60 * 1000)
    const res = await getPage(t.app, back, cookie)
    await refusedWithoutSession(res, 'state_expired', sessions)
  })
})

describe('SSO-only operators', () => {
  it('refuses their right password with a pointer to SSO, and lets SSO in', async () => {
    const sol = await createSuperAdmin(t.db, t.config, { email: 'sol.sso@example.com' })
    await t.db
      .updateTable('super_admins')
      .set({ sso_only: true })
      .where('id', '=', sol.admin.id)
      .execute()
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const res = await login(t.app, sol)
    expect(res.status).toBe(401)
    expect(await res.text()).toContain('signs in through your identity provider only')
    expect(cookieFrom(res)).toBeUndefined()
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessions)
    const required = await auditEntries(t.db, 'auth.login.sso_required')
    expect(required.at(-1)?.target_id).toBe(sol.admin.id)
    expect((await superAdminRow(t.db, sol)).sso_only).toBe(true)
    const { url, cookie } = await start()
    const back = await getPage(t.app, await atProvider(url, 'sol'), cookie)
    expect(back.status).toBe(200)
    expect(cookieFrom(back)).toBeDefined()
  })
})
