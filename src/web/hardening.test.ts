import type { Context } from 'hono'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../config.js'
import { testConfig } from '../test-support/factories.js'
import type { AppEnv } from './env.js'
import { noStore, sameOriginOr, securityHeaders } from './hardening.js'

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
