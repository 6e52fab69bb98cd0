import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApiToken } from './test-support/api-tokens.js'
import { createSuperAdmin, totpCode, type TestAdmin } from './test-support/factories.js'
import { cookieFrom, getPage, postForm, signIn } from './test-support/requests.js'
import { useTestApp } from './test-support/test-app.js'

// How createApp composes its groups: the public group, the console group behind one guard, and
// the JSON slots for the API and webhooks, each answering unknown addresses in its own language.

const t = useTestApp()
let owner: TestAdmin

beforeAll(async () => {
  owner = await t.owner()
})

describe('unknown addresses', () => {
  it('with a session, an unknown path answers the 404 page with the request id', async () => {
    const res = await getPage(t.app, '/no/such/page', await signIn(t.app, owner, t.clock))
    const body = await res.text()
    const requestId = res.headers.get('x-request-id')

    expect(res.status).toBe(404)
    expect(body).toContain('There is nothing at this address.')
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(body).toContain(`<code id="request-id">${requestId}</code>`)
  })

  it('without a session, an unknown path goes to sign-in like every console address', async () => {
    for (const path of ['/no/such/page', '/tenants/x/y', '/super-admins/x/y/z']) {
      const res = await getPage(t.app, path)
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/login'])
    }
  })

  it('a mistyped enrolment link is a 404 page, not a sign-in redirect', async () => {
    const res = await getPage(t.app, '/enrol/not-a-token')

    expect(res.status).toBe(404)
    expect(await res.text()).toContain('There is nothing at this address.')
  })

  it('under /api/v1 an unknown path answers a JSON problem (RFC 9457), not the HTML page', async () => {
    // Without a token the API's guard answers first: 401, still a problem, never HTML.
    const anonymous = await getPage(t.app, '/api/v1/x')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json')

    const owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const token = await createTestApiToken(t.db, owner.admin.id, ['saas.tenants.view'], {
      now: new Date(t.clock.now()),
    })
    const res = await t.app.request('/api/v1/x', { headers: bearer(token) })
    const body = await res.json()

    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'There is nothing at this address.',
      requestId: res.headers.get('x-request-id'),
    })
  })

  it('under /webhooks an unknown path answers a JSON problem too', async () => {
    const res = await getPage(t.app, '/webhooks/unknown')

    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect((await res.json()).status).toBe(404)
  })
})

describe('the flash', () => {
  it("step-up's confirmation is shown on the page it returns to (/super-admins/new)", async () => {
    const cookie = await signIn(t.app, owner, t.clock)
    t.clock.advance(11 * 60_000)
    const asked = await getPage(t.app, '/super-admins/new', cookie)
    expect(asked.headers.get('location')).toBe('/step-up?next=%2Fsuper-admins%2Fnew')

    const confirmed = await postForm(
      t.app,
      '/step-up?next=%2Fsuper-admins%2Fnew',
      { code: totpCode(owner.totpKey, t.clock.now()) },
      cookie,
    )
    expect(confirmed.headers.get('location')).toBe('/super-admins/new')
    const next = [cookieFrom(confirmed), cookieFrom(confirmed, 'fleetdeck_flash')].join('; ')
    const page = await getPage(t.app, '/super-admins/new', next)
    const html = await page.text()

    expect(page.status).toBe(200)
    expect(html).toContain('Invite super admin')
    expect(html).toContain('Confirmed. You can repeat the action for the next 10 minutes.')
    // Taken once: the cookie is cleared, so the next page does not repeat it.
    expect(page.headers.getSetCookie().join('\n')).toMatch(/fleetdeck_flash=;/)
  })

  it('an htmx fragment leaves the flash for the page that follows', async () => {
    const cookie = await signIn(t.app, owner, t.clock)
    const created = await postForm(t.app, '/account/allowlist', { allowlist: '' }, cookie)
    const flash = cookieFrom(created, 'fleetdeck_flash')
    expect(flash).toBeDefined()

    const fragment = await getPage(t.app, '/tenants?q=x', `${cookie}; ${flash}`, {
      'hx-request': 'true',
    })
    expect(fragment.headers.getSetCookie().join('\n')).not.toContain('fleetdeck_flash')
    const page = await (await getPage(t.app, '/account', `${cookie}; ${flash}`)).text()
    expect(page).toContain('Your IP allowlist is saved.')
  })
})
