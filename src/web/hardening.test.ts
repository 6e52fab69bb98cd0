import type { Context } from 'hono'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../config.js'
import {
  createSuperAdmin,
  createTestApp,
  signIn,
  testConfig,
  type TestApp,
} from '../test-support/factories.js'
import type { AppEnv } from './env.js'
import { noStore, requireSameOrigin, sameOriginOr, securityHeaders } from './hardening.js'

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
  let t: TestApp
  let cookie: string

  beforeAll(async () => {
    t = await createTestApp()
    cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
  })
  afterAll(() => t?.close())

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
    for (const path of ['/api/v1/anything', '/webhooks/stripe']) {
      const res = await t.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        404,
        'application/problem+json',
      ])
    }
  })
})
