import type { Context } from 'hono'
import { Hono } from 'hono'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../config.js'
import { testConfig, useTestApp } from '../test-support/test-app.js'
import { createSuperAdmin, createTenant, type TestAdmin } from '../test-support/factories.js'
import { countRows, sessionRow } from '../test-support/database-state.js'
import {
  EVIL_ORIGIN,
  OPERATOR_IP,
  send,
  signIn,
  type SendOptions,
} from '../test-support/requests.js'
import { createTestAppWith } from '../test-support/test-app.js'
import { getGlobalAllowlist } from '../db/settings.js'
import type { AppEnv } from './env.js'
import { noStore, requireSameOrigin, sameOriginOr, securityHeaders } from './hardening.js'

// Unit tests of each middleware on a bare Hono app first, then the whole app end to end (issue #3
// and issue 6): security headers, cross-site requests, request bodies.

const t = useTestApp()

function httpsConfig(): Config {
  return loadConfig(
    {
      FLEETDECK_SECRET_KEY: 'x'.repeat(40),
      NODE_ENV: 'test',
      PUBLIC_URL: 'https://fleetdeck.example.com',
    },
    () => {},
  )
}

/** A bare app with the middleware under test and one page and one static file. */
function appWith(config: Config) {
  const app = new Hono<AppEnv>()
  app.use(securityHeaders(config))
  app.use(noStore)
  app.get('/page', (c) => c.html('<p>page</p>'))
  app.get('/public/app.js', (c) => c.body('/* js */'))
  app.get('/public/favicon.svg', (c) => c.body('<svg/>', 200, { 'content-type': 'image/svg+xml' }))
  return app
}

function directives(res: Response): Record<string, string> {
  const header = res.headers.get('content-security-policy') ?? ''
  return Object.fromEntries(
    header
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0], d.split(/\s+/).slice(1).join(' ')]),
  )
}

describe('securityHeaders', () => {
  it('sends a Content-Security-Policy that allows scripts only from this origin or with the nonce', async () => {
    const res = await appWith(testConfig()).request('/page')

    expect(directives(res)).toEqual({
      'default-src': "'self'",
      'script-src': expect.stringMatching(/^'self' 'nonce-[A-Za-z0-9+/=_-]{16,}'$/),
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'self'",
    })
  })

  it('uses a different nonce for every response', async () => {
    const app = appWith(testConfig())

    const nonces = await Promise.all(
      Array.from({ length: 5 }, async () => directives(await app.request('/page'))['script-src']),
    )

    expect(new Set(nonces).size).toBe(5)
  })

  it('forbids sniffing and framing and keeps referrers on the site', async () => {
    const res = await appWith(testConfig()).request('/page')

    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('referrer-policy')).toBe('same-origin')
  })

  it('sends files under /public only the headers that apply to them: nosniff, same-origin embedding, HSTS', async () => {
    const script = await appWith(httpsConfig()).request('/public/app.js')
    const icon = await appWith(httpsConfig()).request('/public/favicon.svg')

    expect(script.headers.get('x-content-type-options')).toBe('nosniff')
    expect(script.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    expect(script.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    )
    expect(script.headers.get('content-security-policy')).toBeNull()
    expect(script.headers.get('x-frame-options')).toBeNull()
    expect(directives(icon)).toEqual({ 'default-src': "'none'", 'style-src': "'unsafe-inline'" })
  })

  it('sends HSTS only when PUBLIC_URL is https', async () => {
    const plain = await appWith(testConfig()).request('/page')
    const https = await appWith(httpsConfig()).request('/page')

    expect(plain.headers.get('strict-transport-security')).toBeNull()
    expect(https.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    )
  })
})

describe('noStore', () => {
  it('marks console pages no-store and leaves static files cacheable', async () => {
    const app = appWith(testConfig())

    expect((await app.request('/page')).headers.get('cache-control')).toBe('no-store')
    expect((await app.request('/public/app.js')).headers.get('cache-control')).toBeNull()
  })

  it("keeps the JWKS's own caching on a success only, and never a console page's", async () => {
    const app = new Hono<AppEnv>()
    const cacheable = { 'cache-control': 'public, max-age=60' }
    let status: 200 | 503 = 200
    app.use(noStore)
    app.get('/.well-known/jwks.json', (c) => c.json({ keys: [] }, status, cacheable))
    app.get('/page', (c) => c.html('<p>page</p>', 200, cacheable))

    const jwks = await app.request('/.well-known/jwks.json')
    const page = await app.request('/page')
    status = 503
    const failed = await app.request('/.well-known/jwks.json')

    expect(jwks.headers.get('cache-control')).toBe('public, max-age=60')
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(failed.headers.get('cache-control')).toBe('no-store')
  })
})

describe('noStore on the kit API', () => {
  it('keeps a revalidatable answer’s caching on its 200 and 304, and no-store everywhere else', async () => {
    const app = new Hono<AppEnv>()
    const revalidate = { 'cache-control': 'private, no-cache', etag: '"x"' }
    app.use(noStore)
    app.get('/kit/v1/tenants/acme', (c) =>
      c.req.header('if-none-match') ? c.body(null, 304, revalidate) : c.json({}, 200, revalidate),
    )
    app.get('/kit/v1/members', (c) => c.json({}))
    app.get('/kit/v1/missing', (c) => c.json({}, 404, revalidate))
    app.get('/settings/x', (c) => c.body(null, 304, revalidate))

    const fresh = await app.request('/kit/v1/tenants/acme')
    const same = await app.request('/kit/v1/tenants/acme', { headers: { 'if-none-match': '"x"' } })

    expect(fresh.headers.get('cache-control')).toBe('private, no-cache')
    expect(same.status).toBe(304)
    expect(same.headers.get('cache-control')).toBe('private, no-cache')
    expect((await app.request('/kit/v1/members')).headers.get('cache-control')).toBe('no-store')
    expect((await app.request('/kit/v1/missing')).headers.get('cache-control')).toBe('no-store')
    expect((await app.request('/settings/x')).headers.get('cache-control')).toBe('no-store')
  })
})

describe('sameOriginOr', () => {
  const context = (url: string) => ({ req: { url } }) as unknown as Context
  const check = sameOriginOr('https://fleetdeck.example.com')

  it("accepts the request's own origin and PUBLIC_URL's origin", () => {
    expect(check('http://10.0.0.5:3000', context('http://10.0.0.5:3000/login'))).toBe(true)
    expect(check('https://fleetdeck.example.com', context('http://10.0.0.5:3000/login'))).toBe(true)
  })

  it('refuses any other origin, including look-alikes and other ports or schemes', () => {
    const c = context('http://10.0.0.5:3000/login')
    for (const origin of [
      'https://evil.example',
      'https://fleetdeck.example.com.evil.example',
      'http://fleetdeck.example.com',
      'https://fleetdeck.example.com:8443',
      'http://10.0.0.5:3001',
      'null',
    ]) {
      expect([origin, check(origin, c)]).toEqual([origin, false])
    }
  })
})

describe('requireSameOrigin', () => {
  const app = new Hono<AppEnv>()
  app.use(requireSameOrigin(sameOriginOr('https://fleetdeck.example.com')))
  app.all('/thing', (c) => c.text('done'))
  const post = (headers: Record<string, string>, body = '{"a":1}') =>
    app.request('http://10.0.0.5:3000/thing', { method: 'POST', headers, body })

  it('refuses a JSON, XML or other non-form body unless it comes from our own origin', async () => {
    for (const type of ['application/json', 'text/xml', 'application/octet-stream', 'image/png']) {
      const cross = await post({ 'content-type': type, origin: 'https://evil.example' })
      const none = await post({ 'content-type': type })
      const own = await post({ 'content-type': type, origin: 'https://fleetdeck.example.com' })
      const fetchSite = await post({ 'content-type': type, 'sec-fetch-site': 'same-origin' })

      expect([type, cross.status, none.status, own.status, fetchSite.status]).toEqual([
        type,
        403,
        403,
        200,
        200,
      ])
    }
  })

  it('checks DELETE, PUT and PATCH the same way, and leaves GET, HEAD and OPTIONS alone', async () => {
    for (const method of ['DELETE', 'PUT', 'PATCH']) {
      const res = await app.request('http://10.0.0.5:3000/thing', {
        method,
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      })
      expect([method, res.status]).toEqual([method, 403])
    }
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const res = await app.request('http://10.0.0.5:3000/thing', {
        method,
        headers: { origin: 'https://evil.example' },
      })
      expect([method, res.status]).toEqual([method, 200])
    }
  })
})

describe('cross-site bodies that are not forms, against the whole app', () => {
  let cookie: string

  beforeAll(async () => {
    ;({ cookie } = await t.signedInOwner())
  })

  async function counts() {
    const n = async (table: 'tenants' | 'audit_log' | 'super_admin_sessions') =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    return {
      tenants: await n('tenants'),
      audit: await n('audit_log'),
      sessions: await n('super_admin_sessions'),
    }
  }

  // Hono's csrf middleware checks only form content types; before issue 6 these reached the
  // handlers (which read them as empty forms), one CORS misconfiguration away from acting.
  it('a cross-site JSON or XML POST to a console route is refused with 403 and nothing changes', async () => {
    const before = await counts()
    const requests: [string, string, string][] = [
      ['/tenants', 'application/json', JSON.stringify({ slug: 'evil', name: 'Evil' })],
      ['/logout', 'application/json', '{}'],
      ['/settings/security/sessions', 'text/xml', '<delete/>'],
      ['/login', 'application/json', '{"email":"a@b.c","password":"x"}'],
    ]

    for (const [path, type, body] of requests) {
      const res = await t.app.request(path, {
        method: path.endsWith('/sessions') ? 'DELETE' : 'POST',
        headers: { 'content-type': type, origin: 'https://evil.example', cookie },
        body,
      })
      expect([path, res.status]).toEqual([path, 403])
    }
    expect(await counts()).toEqual(before)
  })

  it('leaves the API and webhook groups to their own authentication: no Origin needed there', async () => {
    // Past the origin check each answers for itself: the API wants its token (401, not the
    // origin check's 403); no webhook secret here.
    for (const [path, status] of [
      ['/api/v1/anything', 401],
      ['/webhooks/stripe', 503],
    ] as const) {
      const res = await t.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        status,
        'application/problem+json',
      ])
    }
  })
})

describe('security headers', () => {
  let cookie: string

  beforeAll(async () => {
    cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
  })

  function csp(res: Response): Map<string, string> {
    const header = res.headers.get('content-security-policy') ?? ''
    return new Map(
      header
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name, ...values] = d.split(/\s+/)
          return [name, values.join(' ')]
        }),
    )
  }

  it('every page carries a strict Content-Security-Policy with a fresh script nonce', async () => {
    const responses = [
      await send(t.app, 'GET', '/login'),
      await send(t.app, 'GET', '/login'),
      await send(t.app, 'GET', '/tenants', { cookie }),
      await send(t.app, 'GET', '/no-such-page'),
    ]

    const policies = responses.map(csp)
    for (const policy of policies) {
      expect(policy.get('default-src')).toBe("'self'")
      expect(policy.get('script-src')).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=_-]{16,}'$/)
      expect(policy.get('object-src')).toBe("'none'")
      expect(policy.get('base-uri')).toBe("'none'")
      expect(policy.get('frame-ancestors')).toBe("'none'")
      expect(policy.get('form-action')).toBe("'self'")
    }
    const nonces = policies.map((p) => p.get('script-src'))
    expect(new Set(nonces).size).toBe(nonces.length)
  })

  it('pages are never cached, never sniffed and never framed; referrers stay on the site', async () => {
    for (const res of [
      await send(t.app, 'GET', '/login'),
      await send(t.app, 'GET', '/tenants', { cookie }),
      await send(t.app, 'GET', '/account', { cookie }),
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('same-origin')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
    }
  })

  it('static files may be cached', async () => {
    const res = await send(t.app, 'GET', '/public/app.js')

    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).not.toBe('no-store')
  })

  it('with PUBLIC_URL set, a request addressed to another host (DNS rebinding) gets 421; health probes still answer', async () => {
    const https = await createTestAppWith({ PUBLIC_URL: 'https://fleetdeck.example.com' }, t)

    const rebound = await send(https.app, 'GET', 'http://attacker.example/login')
    const right = await send(https.app, 'GET', 'http://fleetdeck.example.com/login')
    const probe = await send(https.app, 'GET', 'http://10.0.0.7:3000/healthz')

    expect(rebound.status).toBe(421)
    expect(right.status).toBe(200)
    expect(probe.status).toBe(200)
  })

  it('HSTS is sent only when PUBLIC_URL is https', async () => {
    const https = await createTestAppWith({ PUBLIC_URL: 'https://fleetdeck.example.com' }, t)

    const plain = await send(t.app, 'GET', '/login')
    const secure = await send(https.app, 'GET', '/login')

    expect(plain.headers.get('strict-transport-security')).toBeNull()
    expect(secure.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    )
  })
})

describe('cross-site requests', () => {
  let owner: TestAdmin
  let cookie: string
  let other: string

  beforeAll(async () => {
    owner = await createSuperAdmin(t.db, t.config)
    other = await signIn(t.app, owner, t.clock)
    cookie = await signIn(t.app, owner, t.clock)
  })

  async function state() {
    return {
      sessions: await countRows(t.db, 'super_admin_sessions'),
      audit: await countRows(t.db, 'audit_log'),
      attempts: await countRows(t.db, 'sign_in_attempts'),
      allowlist: await getGlobalAllowlist(t.db),
    }
  }

  /** Unsafe requests that would each change something if they were let through. */
  function unsafeRequests(): [string, string, Record<string, string>][] {
    return [
      ['POST', '/login', { email: owner.admin.email, password: owner.password }],
      ['POST', '/logout', {}],
      ['POST', '/account/sessions', { _method: 'DELETE' }],
      ['POST', '/settings/security', { allowlist: OPERATOR_IP }],
      ['POST', '/settings/security/sessions', { _method: 'DELETE' }],
      ['DELETE', '/settings/security/sessions', {}],
    ]
  }

  it('an unsafe request with a cross-site Origin is refused with 403 and nothing changes', async () => {
    const before = await state()

    for (const [method, path, fields] of unsafeRequests()) {
      const res = await send(t.app, method, path, { fields, cookie, origin: EVIL_ORIGIN })
      expect([method, path, res.status]).toEqual([method, path, 403])
    }

    expect(await state()).toEqual(before)
    expect(await sessionRow(t.db, other)).toBeDefined()
  })

  it('a cross-site Sec-Fetch-Site, a null Origin, no Origin at all, or a text/plain body are refused too', async () => {
    const before = await state()
    const variants: SendOptions[] = [
      { origin: EVIL_ORIGIN, headers: { 'sec-fetch-site': 'cross-site' } },
      { origin: 'null' },
      { origin: null },
      { origin: null, headers: { 'sec-fetch-site': 'same-site' } },
      { origin: EVIL_ORIGIN, headers: { 'content-type': 'text/plain' } },
    ]

    for (const variant of variants) {
      const res = await send(t.app, 'POST', '/settings/security/sessions', {
        fields: { _method: 'DELETE' },
        cookie,
        ...variant,
      })
      expect([variant, res.status]).toEqual([variant, 403])
    }
    const bodiless = await t.app.request('/logout', {
      method: 'POST',
      headers: { cookie, origin: EVIL_ORIGIN },
    })
    expect(bodiless.status).toBe(403)

    expect(await state()).toEqual(before)
  })

  it('a same-origin request passes, by Origin or by Sec-Fetch-Site', async () => {
    const byOrigin = await send(t.app, 'POST', '/login', {
      fields: { email: 'x@example.com', password: 'y' },
    })
    const bySecFetch = await send(t.app, 'POST', '/login', {
      fields: { email: 'x@example.com', password: 'y' },
      origin: null,
      headers: { 'sec-fetch-site': 'same-origin' },
    })

    expect(byOrigin.status).toBe(401)
    expect(bySecFetch.status).toBe(401)
  })

  it("PUBLIC_URL's origin passes behind a TLS-terminating proxy", async () => {
    const https = await createTestAppWith({ PUBLIC_URL: 'https://fleetdeck.example.com' }, t)
    const fields = { email: 'x@example.com', password: 'y' }

    const proxied = await send(https.app, 'POST', 'http://fleetdeck.example.com/login', {
      fields,
      origin: 'https://fleetdeck.example.com',
    })
    const evil = await send(https.app, 'POST', 'http://fleetdeck.example.com/login', {
      fields,
      origin: 'https://fleetdeck.example.com.evil.example',
    })

    expect(proxied.status).toBe(401)
    expect(evil.status).toBe(403)
  })
})

describe('request bodies', () => {
  it('a repeated or unknown _method is refused with 400 before any handler runs', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    const tenant = await createTenant(t.db)
    const post = (body: string) =>
      t.app.request(`/tenants/${tenant.id}/suspension`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost',
          cookie,
        },
        body,
      })

    for (const body of [
      '_method=DELETE&_method=GET',
      '_method=DELETE&_method=%20',
      '_method=PUT',
      '_method=GET',
    ]) {
      expect((await post(body)).status, body).toBe(400)
    }
    expect(
      (
        await t.db
          .selectFrom('tenants')
          .select('status')
          .where('id', '=', tenant.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('active')
  })

  it('a body over 64 KB is refused with 413 before it is parsed, even at /login', async () => {
    const res = await t.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: `email=a%40b.c&password=${'x'.repeat(70 * 1024)}`,
    })
    expect(res.status).toBe(413)
  })
})
