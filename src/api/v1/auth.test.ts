import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { createApiToken } from '../../auth/api-tokens.js'
import type { Permission } from '../../auth/permissions.js'
import type { OperatorRole } from '../../db/schema.js'
import { createSuperAdmin } from '../../test-support/factories.js'
import { useTestApp } from '../../test-support/test-app.js'
import type { AppEnv } from '../../web/env.js'
import { API_AUTH_FAILURES_PER_MINUTE, requireApiPermission, requireApiToken } from './auth.js'
import { ApiRefusal, apiProblem } from './problems.js'

const t = useTestApp()

async function tokenFor(role: OperatorRole, permissions: Permission[], stepUp = false) {
  const { admin } = await createSuperAdmin(t.db, t.config, { role })
  const made = await createApiToken(
    t.db,
    { actor: admin, requestId: null, ip: null, userAgent: null },
    { operator: admin, name: 'script', permissions, expiresInDays: 30, stepUp },
    new Date(t.clock.now()),
  )
  if (!made.ok) throw new Error('refused')
  return { admin, token: made.token, id: made.id }
}

async function call(app: App, path: string, authorization?: string, ip?: string) {
  return app.request(
    path,
    { headers: authorization ? { authorization } : {} },
    ip ? { incoming: { socket: { remoteAddress: ip } } } : undefined,
  )
}

function auditOf(tokenId: string) {
  return t.db
    .selectFrom('audit_log')
    .select(['action', 'actor_id', 'api_token_id', 'after'])
    .where('api_token_id', '=', tokenId)
    .orderBy('seq')
    .execute()
}

describe('requireApiToken', () => {
  it('refuses a missing, malformed, unknown or wrong-secret token with a 401 problem and WWW-Authenticate', async () => {
    const { token, id } = await tokenFor('admin', ['saas.tenants.view'])
    const wrongSecret = `${token.slice(0, token.indexOf('.') + 1)}${'a'.repeat(32)}`
    for (const header of [
      undefined,
      'Basic dXNlcjpwYXNz',
      `Bearer ${token.slice(4)}`,
      `Bearer fdt_${'b'.repeat(32)}.${'c'.repeat(32)}`,
      `Bearer ${wrongSecret}`,
    ]) {
      const res = await call(t.app, '/api/v1/tenants', header)
      expect(res.status, String(header)).toBe(401)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="fleetdeck-api"')
      expect((await res.json()).code).toBe('unauthorized')
    }
    const row = await t.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row.last_used_at).toBeNull()
  })

  it('refuses an address after too many failed authentications in a minute, with Retry-After', async () => {
    const ip = '198.51.100.77'
    const bad = `Bearer fdt_${'d'.repeat(32)}.${'e'.repeat(32)}`
    for (let i = 0; i < API_AUTH_FAILURES_PER_MINUTE; i++) {
      expect((await call(t.app, '/api/v1/x', bad, ip)).status).toBe(401)
    }
    const refused = await call(t.app, '/api/v1/x', bad, ip)
    expect(refused.status).toBe(429)
    const wait = Number(refused.headers.get('retry-after'))
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(60)
    // Another address is not held back by this one's failures.
    expect((await call(t.app, '/api/v1/x', bad, '198.51.100.78')).status).toBe(401)
  })

  it('audits a refused call with the token id, its owner as actor, and the path and status', async () => {
    const { admin, token, id } = await tokenFor('viewer', ['saas.tenants.view'])
    expect((await call(t.app, '/api/v1/nothing-here?x=1', `Bearer ${token}`)).status).toBe(404)
    expect(await auditOf(id)).toContainEqual({
      action: 'api.refused',
      actor_id: admin.id,
      api_token_id: id,
      after: { method: 'GET', path: '/api/v1/nothing-here', query: '?x=1', status: 404 },
    })
  })
})

describe('requireApiToken and the owner', () => {
  it('holds the owner’s own IP allowlist: 403 ip_refused from elsewhere, through from inside', async () => {
    const { admin, token } = await tokenFor('admin', ['saas.tenants.view'])
    await t.db
      .updateTable('super_admins')
      .set({ ip_allowlist: ['10.0.0.0/8'] })
      .where('id', '=', admin.id)
      .execute()
    const outside = await call(t.app, '/api/v1/tenants', `Bearer ${token}`, '203.0.113.5')
    expect(outside.status).toBe(403)
    expect((await outside.json()).code).toBe('ip_refused')
    const inside = await call(t.app, '/api/v1/tenants', `Bearer ${token}`, '10.1.2.3')
    expect(inside.status).toBe(200)
  })

  it('stops a token whose owner’s TOTP was reset, and tells why only to the holder of the secret', async () => {
    const { admin, token } = await tokenFor('admin', ['saas.tenants.view'])
    await t.db
      .updateTable('super_admins')
      .set({ mfa_enabled: false })
      .where('id', '=', admin.id)
      .execute()
    const res = await call(t.app, '/api/v1/tenants', `Bearer ${token}`)
    expect(res.status).toBe(401)
    expect((await res.json()).detail).toBe(
      'The operator who owns this API token must enrol TOTP again first.',
    )
    await t.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date(t.clock.now()) })
      .where('id', '=', token.slice(4, 36))
      .execute()
    const guess = `${token.slice(0, token.indexOf('.') + 1)}${'a'.repeat(32)}`
    const probe = await call(t.app, '/api/v1/tenants', `Bearer ${guess}`)
    expect(probe.status).toBe(401)
    expect((await probe.json()).detail).toBe(
      'A valid API token is required (Authorization: Bearer fdt_…).',
    )
  })
})

describe('requireApiPermission', () => {
  it('passes a token carrying the permission and audits the read; refuses and audits one without', async () => {
    const api = guardedApi()
    const { token, id } = await tokenFor('admin', ['saas.tenants.view'])
    expect((await call(api, '/view', `Bearer ${token}`)).status).toBe(200)
    const refused = await call(api, '/edit', `Bearer ${token}`)
    expect(refused.status).toBe(403)
    expect((await refused.json()).code).toBe('forbidden')
    expect(
      (await auditOf(id)).map((e) => [e.action, (e.after as { status: number }).status]),
    ).toEqual([
      ['api.read', 200],
      ['api.refused', 403],
    ])
  })

  it('refuses a step-up route to a token made without step-up, and passes one made with it', async () => {
    const api = guardedApi()
    const plain = await tokenFor('owner', ['saas.tenants.delete'])
    const stepped = await tokenFor('owner', ['saas.tenants.delete'], true)
    const res = await call(api, '/delete', `Bearer ${plain.token}`)
    expect(res.status).toBe(403)
    expect((await res.json()).code).toBe('step_up_required')
    expect((await call(api, '/delete', `Bearer ${stepped.token}`)).status).toBe(200)
  })
})

/** Guarded routes for these tests only, on the test app's database and clock. */
function guardedApi(): App {
  const api = new Hono<AppEnv>()
  api.use('*', async (c, next) => {
    c.set('deps', { config: t.config, database: t.database, now: t.clock.now })
    c.set('db', t.db)
    c.set('now', () => new Date(t.clock.now()))
    c.set('requestId', 'guarded-test')
    await next()
  })
  api.use('*', requireApiToken)
  api.get('/view', requireApiPermission('saas.tenants.view'), (c) => c.json({ ok: true }))
  api.get('/edit', requireApiPermission('saas.tenants.edit'), (c) => c.json({ ok: true }))
  api.get('/delete', requireApiPermission('saas.tenants.delete', { stepUp: true }), (c) =>
    c.json({ ok: true }),
  )
  api.onError((err, c) => {
    if (err instanceof ApiRefusal) return apiProblem(c, err.status, err.code, err.message)
    throw err
  })
  return api as unknown as App
}
