import fc from 'fast-check'
import { Hono } from 'hono'
import { serializeSigned } from 'hono/utils/cookie'
import type { KyselyPlugin } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { deriveKey } from '../auth/encryption.js'
import type { Db } from '../db/database.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createTenant } from '../test-support/factories.js'
import {
  scopeIn,
  scopeSetCookie,
  signedScopeCookie,
  SCOPE_COOKIE,
} from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'
import type { AppEnv } from './env.js'
import { parseScopeCookie, RECENT_LIMIT, resolveScope, setScope, withRecent } from './scope.js'

const t = useTestApp()
const statements: string[] = []
const recorder: KyselyPlugin = {
  transformQuery: (args) => args.node,
  transformResult: async (args) => {
    statements.push(String(args.queryId.queryId))
    return args.result
  },
}

const ids = () => fc.uuid().map((id) => id.toLowerCase())

/**
 * resolveScope alone, on the test database with every statement counted: answers what it
 * resolved (`c.var.scope`) and the flash it set for this page.
 */
function scopeApp(config = t.config) {
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('deps', { config, database: t.database })
    c.set('db', t.db.withPlugin(recorder) as Db)
    c.set('now', () => new Date(t.clock.now()))
    c.set('flash', undefined)
    await next()
  })
  app.use(resolveScope)
  app.get('/', (c) => c.json({ scope: c.var.scope, flash: c.var.flash ?? null }))
  app.post('/', (c) => c.json({ scope: c.var.scope, flash: c.var.flash ?? null }))
  app.post('/narrow/:id', async (c) => {
    await setScope(c, { id: c.req.param('id'), slug: 'acme', name: 'Acme' })
    return c.body(null, 204)
  })
  return app
}

async function resolve(cookie: string | undefined, init: RequestInit = {}) {
  statements.length = 0
  const res = await scopeApp().request('/', {
    ...init,
    headers: { ...(cookie ? { cookie } : {}), ...(init.headers ?? {}) },
  })
  const body = (await res.json()) as { scope: Record<string, unknown>; flash: unknown }
  return { res, ...body, statements: statements.length }
}

let acme: { id: string; slug: string; name: string }

beforeAll(async () => {
  const tenant = await createTenant(t.db, { name: 'Acme Corp' })
  acme = { id: tenant.id, slug: tenant.slug, name: tenant.name }
})

describe('parseScopeCookie', () => {
  it('reads a customer scope with its recently viewed tenants', () => {
    const value = { mode: 'customer', tenant: acme.id, recent: [acme.id] }
    expect(parseScopeCookie(JSON.stringify(value))).toEqual(value)
  })

  it('refuses what the app never writes: a customer without tenant, all with one, bad ids, nine recent, not JSON', () => {
    const id = acme.id
    for (const value of [
      { mode: 'customer', recent: [] },
      { mode: 'all', tenant: id, recent: [] },
      { mode: 'customer', tenant: 'acme', recent: [] },
      { mode: 'all', recent: ["' or 1=1 --"] },
      { mode: 'all', recent: Array(RECENT_LIMIT + 1).fill(id) },
      { mode: 'everything', recent: [] },
    ]) {
      expect(parseScopeCookie(JSON.stringify(value)), JSON.stringify(value)).toBeUndefined()
    }
    expect(parseScopeCookie('{"mode":')).toBeUndefined()
    expect(parseScopeCookie('null')).toBeUndefined()
  })
})

describe('withRecent', () => {
  it('puts the tenant first, keeps the others in order without duplicates, and at most 8', () => {
    fc.assert(
      fc.property(fc.uniqueArray(ids(), { maxLength: RECENT_LIMIT }), ids(), (recent, id) => {
        const next = withRecent(recent, id)
        expect(next[0]).toBe(id)
        expect(new Set(next).size).toBe(next.length)
        expect(next.length).toBeLessThanOrEqual(RECENT_LIMIT)
        expect(next.slice(1)).toEqual(recent.filter((r) => r !== id).slice(0, RECENT_LIMIT - 1))
      }),
    )
  })

  it('drops the oldest when a ninth tenant is viewed', () => {
    const eight = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`)
    const ninth = '00000000-0000-4000-8000-000000000009'
    expect(withRecent(eight, ninth)).toEqual([ninth, ...eight.slice(0, 7)])
  })
})

describe('resolveScope', () => {
  it('a browser without the cookie sees all customers, at no query and with no cookie set', async () => {
    const got = await resolve(undefined)
    expect(got.scope).toEqual({ mode: 'all', recent: [], filter: {} })
    expect(got.statements).toBe(0)
    expect(scopeSetCookie(got.res)).toBeUndefined()
  })

  it('mode all costs no query; mode customer one, and names the tenant in the filter', async () => {
    const all = await resolve(await signedScopeCookie(t.config, { mode: 'all', recent: [acme.id] }))
    expect(all.scope).toEqual({ mode: 'all', recent: [acme.id], filter: {} })
    expect(all.statements).toBe(0)

    const customer = await resolve(
      await signedScopeCookie(t.config, { mode: 'customer', tenant: acme.id, recent: [] }),
    )
    expect(customer.scope).toEqual({
      mode: 'customer',
      tenant: acme,
      recent: [],
      filter: { tenantId: acme.id },
    })
    expect(customer.statements).toBe(1)
    expect(scopeSetCookie(customer.res)).toBeUndefined()
  })

  it('a tampered cookie is ignored and reset: edited value, unsigned, signed for another purpose', async () => {
    const other = (await createTenant(t.db)).id
    const genuine = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: acme.id,
      recent: [],
    })
    const flashKey = deriveKey(t.config.secretKey, 'flash-cookie').toString('base64')
    const value = JSON.stringify({ mode: 'customer', tenant: other, recent: [] })
    for (const cookie of [
      genuine.replace(encodeURIComponent(acme.id), encodeURIComponent(other)),
      `${SCOPE_COOKIE}=${encodeURIComponent(value)}`,
      `${SCOPE_COOKIE}=garbage`,
      (await serializeSigned(SCOPE_COOKIE, value, flashKey)).split(';')[0],
    ]) {
      const got = await resolve(cookie)
      expect(got.scope, cookie).toEqual({ mode: 'all', recent: [], filter: {} })
      expect(got.statements).toBe(0)
      expect(scopeSetCookie(got.res), cookie).toMatch(/^fleetdeck_scope=; Max-Age=0; Path=\//)
    }
  })

  it('whatever the cookie holds, unsigned or signed, the request is served and narrows only to a live tenant', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({
          mode: fc.constantFrom('all', 'customer', 'other'),
          tenant: fc.option(fc.constantFrom(acme.id, acme.id.toUpperCase(), 'x'), {
            nil: undefined,
          }),
          recent: fc.array(fc.oneof(ids(), fc.string()), { maxLength: 10 }),
        })
        .map((v) => JSON.stringify(v)),
    )
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (value, signed) => {
        const cookie = signed
          ? await signedScopeCookie(t.config, value)
          : `${SCOPE_COOKIE}=${encodeURIComponent(value)}`
        const got = await resolve(cookie)
        expect(got.res.status).toBe(200)
        const filter = got.scope.filter as { tenantId?: string }
        if (got.scope.mode === 'customer') {
          expect(signed).toBe(true)
          expect(filter).toEqual({ tenantId: acme.id })
        } else expect(filter).toEqual({})
      }),
      { numRuns: 60 },
    )
  })

  it('a scope naming a deleted tenant falls back to all, with a flash on this page', async () => {
    const gone = await createTenant(t.db, { name: 'Gone Ltd' })
    await deleteTestTenant(t.database, gone.id, { now: new Date() })
    const got = await resolve(
      await signedScopeCookie(t.config, {
        mode: 'customer',
        tenant: gone.id,
        recent: [gone.id, acme.id],
      }),
    )
    expect(got.scope).toEqual({ mode: 'all', recent: [acme.id], filter: {} })
    expect(got.flash).toEqual({
      kind: 'info',
      text: `Gone Ltd (${gone.slug}) was deleted: the console shows all customers again.`,
    })
    // The browser keeps the fallback: mode all, and the deleted tenant no longer recent.
    const cookie = scopeSetCookie(got.res)!
    expect(cookie).toMatch(/Max-Age=\d{8}/)
    expect(scopeIn(cookie)).toEqual({ mode: 'all', recent: [acme.id] })
  })

  it('a scope naming an unknown tenant falls back to all; a form post queues the flash for the next page', async () => {
    const unknown = '3f0c4b6e-8a55-4c1e-9a8e-0d4f2b7c6a11'
    const cookie = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: unknown,
      recent: [unknown],
    })
    const got = await resolve(cookie, { method: 'POST' })
    expect(got.scope).toEqual({ mode: 'all', recent: [], filter: {} })
    expect(got.flash).toBeNull()
    expect(got.res.headers.getSetCookie().some((l) => l.startsWith('fleetdeck_flash='))).toBe(true)
    expect(scopeIn(scopeSetCookie(got.res)!)).toEqual({ mode: 'all', recent: [] })
  })

  it('writes the cookie HttpOnly, SameSite=Strict, for a year; Secure with __Host- over https', async () => {
    const plain = await scopeApp().request(`/narrow/${acme.id}`, { method: 'POST' })
    const line = scopeSetCookie(plain)!
    expect(line).toMatch(/HttpOnly/)
    expect(line).toMatch(/SameSite=Strict/)
    expect(line).toMatch(/Path=\//)
    expect(Number(/Max-Age=(\d+)/.exec(line)![1])).toBeGreaterThan(365 * 24 * 3600)
    expect(line).not.toMatch(/Secure/)
    expect(scopeIn(line)).toEqual({ mode: 'customer', tenant: acme.id, recent: [acme.id] })

    const https = await scopeApp({ ...t.config, secureCookies: true }).request(
      `/narrow/${acme.id}`,
      { method: 'POST' },
    )
    const secure = https.headers.getSetCookie().join('\n')
    expect(secure).toMatch(/^__Host-fleetdeck_scope=.*; Path=\/; .*Secure/m)
  })
})
