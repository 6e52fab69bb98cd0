import { beforeAll, describe, expect, it } from 'vitest'
import { createSuperAdmin, totpCode, type TestAdmin } from '../test-support/factories.js'
import { cookieFrom, getPage, postForm, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Issue #6 item 16: a session that ends under an htmx request sends the operator to a sign-in
// page that says why, and signing in again returns to the page they were on.

const t = useTestApp()
let ada: TestAdmin

beforeAll(async () => {
  ada = await createSuperAdmin(t.db, t.config)
})

function sessionId(cookie: string): string {
  return cookie.split('=')[1].split('.')[0]
}

/** An htmx search request made from the tenants page at `pageUrl`. */
function htmxSearch(cookie: string, pageUrl = 'http://localhost/tenants?q=acme&page=2') {
  return getPage(t.app, '/tenants?q=acme&page=2', cookie, {
    'HX-Request': 'true',
    'HX-Current-URL': pageUrl,
  })
}

describe('a session that ended under htmx', () => {
  it('after 30 idle minutes the sign-in page says so and sign-in returns to the page', async () => {
    const full = await signIn(t.app, ada, t.clock)
    t.clock.advance(31 * 60_000)

    const refused = await htmxSearch(full)

    expect(refused.status).toBe(401)
    const login = refused.headers.get('hx-redirect')!
    expect(login).toBe('/login?ended=idle&next=%2Ftenants%3Fq%3Dacme%26page%3D2')
    const page = await (await getPage(t.app, login)).text()
    expect(page).toContain('Your session ended after 30 minutes without activity.')
    expect(page).toContain('name="next" value="/tenants?q=acme&amp;page=2"')

    t.clock.advance(30_000)
    const password = await postForm(t.app, '/login', {
      email: ada.admin.email,
      password: ada.password,
      next: '/tenants?q=acme&page=2',
    })
    expect(password.status).toBe(303)
    const totpUrl = password.headers.get('location')!
    expect(totpUrl).toBe('/login/totp?next=%2Ftenants%3Fq%3Dacme%26page%3D2')
    const half = cookieFrom(password)!
    expect(await (await getPage(t.app, totpUrl, half)).text()).toContain(
      'action="/login/totp?next=%2Ftenants%3Fq%3Dacme%26page%3D2"',
    )
    const code = await postForm(
      t.app,
      totpUrl,
      { code: totpCode(ada.totpKey, t.clock.now()) },
      half,
    )
    expect(code.status).toBe(303)
    expect(code.headers.get('location')).toBe('/tenants?q=acme&page=2')
    const again = cookieFrom(code)!
    expect((await getPage(t.app, '/tenants?q=acme&page=2', again)).status).toBe(200)
  })

  it('past the absolute limit the page names the limit in hours', async () => {
    const full = await signIn(t.app, ada, t.clock)
    await t.db
      .updateTable('super_admin_sessions')
      .set({ created_at: new Date(t.clock.now() - 13 * 3600_000) })
      .where('id', '=', sessionId(full))
      .execute()

    const refused = await htmxSearch(full)

    const login = refused.headers.get('hx-redirect')!
    expect(login).toMatch(/^\/login\?ended=absolute&next=/)
    expect(await (await getPage(t.app, login)).text()).toContain(
      'Your session ended: sessions last at most 12 hours from sign-in.',
    )
  })

  it('a session ended elsewhere (its row gone) says the operator was signed out', async () => {
    const full = await signIn(t.app, ada, t.clock)
    await t.db.deleteFrom('super_admin_sessions').where('id', '=', sessionId(full)).execute()

    const refused = await htmxSearch(full)

    const login = refused.headers.get('hx-redirect')!
    expect(login).toMatch(/^\/login\?ended=signed-out&next=/)
    expect(await (await getPage(t.app, login)).text()).toContain('You were signed out')
  })

  it('a plain page request keeps its own address as the page to return to', async () => {
    const full = await signIn(t.app, ada, t.clock)
    t.clock.advance(31 * 60_000)

    const res = await getPage(t.app, '/audit?action=tenant.create', full)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(
      '/login?ended=idle&next=%2Faudit%3Faction%3Dtenant.create',
    )
  })

  it('an htmx page address on another host is not kept as the page to return to', async () => {
    const full = await signIn(t.app, ada, t.clock)
    t.clock.advance(31 * 60_000)

    const refused = await htmxSearch(full, 'http://evil.example/tenants')

    expect(refused.headers.get('hx-redirect')).toBe('/login?ended=idle')
  })

  it('a next that leaves the site is ignored at every step of sign-in', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const page = await (await getPage(t.app, `/login?${new URLSearchParams({ next })}`)).text()
      expect(page).not.toContain('name="next"')
      t.clock.advance(30_000)
      const password = await postForm(t.app, '/login', {
        email: ada.admin.email,
        password: ada.password,
        next,
      })
      expect(password.headers.get('location')).toBe('/login/totp')
      const code = await postForm(
        t.app,
        `/login/totp?${new URLSearchParams({ next })}`,
        { code: totpCode(ada.totpKey, t.clock.now()) },
        cookieFrom(password)!,
      )
      expect([next, code.headers.get('location')]).toEqual([next, '/'])
    }
  })

  it('without any session cookie the sign-in page explains nothing and keeps no next', async () => {
    const res = await getPage(t.app, '/tenants', undefined, { 'HX-Request': 'true' })

    expect(res.headers.get('hx-redirect')).toBe('/login')
  })
})
