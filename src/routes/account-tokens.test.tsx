import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { requireApiPermission, requireApiToken } from '../api/v1/auth.js'
import { ApiRefusal, apiProblem } from '../api/v1/problems.js'
import { parseSplitToken, secretMatches } from '../auth/tokens.js'
import type { OperatorRole } from '../db/schema.js'
import type { App } from '../app.js'
import { createSuperAdmin, type TestAdmin } from '../test-support/factories.js'
import { fieldError, parseHtml, textOf } from '../test-support/html.js'
import { getPage, SAME_ORIGIN, sendForm, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import type { AppEnv } from '../web/env.js'

const t = useTestApp()
const MINUTE = 60_000

type TokenFields = { name: string; permissions: string[]; expiresInDays?: string; stepUp?: boolean }

/** The create form as a browser posts it: one `permissions` pair per checked box. */
async function postTokenForm(app: App, cookie: string, f: TokenFields): Promise<Response> {
  const body = new URLSearchParams({ name: f.name, expiresInDays: f.expiresInDays ?? '90' })
  for (const p of f.permissions) body.append('permissions', p)
  if (f.stepUp) body.append('stepUp', 'on')
  return app.request('/account/tokens', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: SAME_ORIGIN,
      cookie,
    },
    body: body.toString(),
  })
}

async function signedIn(role: OperatorRole): Promise<{ who: TestAdmin; cookie: string }> {
  const who = await createSuperAdmin(t.db, t.config, { role })
  return { who, cookie: await signIn(t.app, who, t.clock) }
}

/** Creates a token through the page and reads it from the answer. */
async function newToken(cookie: string, f: Partial<TokenFields> = {}): Promise<string> {
  const res = await postTokenForm(t.app, cookie, {
    name: `token ${Math.random()}`,
    permissions: ['saas.tenants.view'],
    ...f,
  })
  expect(res.status).toBe(200)
  const token = textOf(await res.text(), '#api-token-value')
  if (!token) throw new Error('no token on the page')
  return token
}

async function callApi(app: App, token: string, path = '/api/v1/anything'): Promise<Response> {
  return app.request(path, { headers: { authorization: `Bearer ${token}` } })
}

function tokenRow(id: string) {
  return t.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

const idOf = (token: string) => parseSplitToken(token.slice(4))!.id

describe('creating a token', () => {
  it('shows the token once in the answer, stores only its hash, and lists it afterwards without it', async () => {
    const { who, cookie } = await signedIn('admin')
    const res = await postTokenForm(t.app, cookie, {
      name: 'terraform',
      permissions: ['saas.tenants.view', 'saas.tenants.create'],
      expiresInDays: '90',
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('location')).toBeNull()
    expect(res.headers.get('cache-control')).toMatch(/no-store/)
    expect(res.headers.get('set-cookie') ?? '').not.toMatch(/fdt_/)
    const html = await res.text()
    expect(textOf(html, '[role=alert]')).toMatch(/you won.t see it again/)
    const token = textOf(html, '#api-token-value')!
    expect(token).toMatch(/^fdt_[a-z2-7]{32}\.[a-z2-7]{32}$/)
    const { id, secret } = parseSplitToken(token.slice(4))!
    const row = await tokenRow(id)
    expect(row).toMatchObject({
      super_admin_id: who.admin.id,
      name: 'terraform',
      permissions: ['saas.tenants.view', 'saas.tenants.create'],
      step_up: false,
      expires_at: new Date(t.clock.now() + 90 * 24 * 60 * MINUTE),
    })
    expect(secretMatches(secret, row.secret_hash)).toBe(true)

    const list = await (await getPage(t.app, '/account/tokens', cookie)).text()
    expect(textOf(list, `#own-token-table-${id}`)).toContain('terraform')
    expect(list).not.toContain(secret)
  })

  it('refuses an empty form with 422 and the messages next to the fields, creating nothing', async () => {
    const { who, cookie } = await signedIn('operator')
    const res = await postTokenForm(t.app, cookie, { name: '', permissions: [], expiresInDays: '' })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(fieldError(html, 'name')).toBe('Enter a name.')
    expect(textOf(html, '#permissions-error')).toBe('Choose at least one permission.')
    expect(textOf(html, '#expiry-error')).toBe('Choose when the token expires.')
    expect(textOf(html, '[role=alert]')).toMatch(/not created/)
    const rows = await t.db
      .selectFrom('api_tokens')
      .select('id')
      .where('super_admin_id', '=', who.admin.id)
      .execute()
    expect(rows).toEqual([])
  })

  it('refuses a permission beyond the role, and an expiry beyond a year, with 422', async () => {
    const { cookie } = await signedIn('viewer')
    const beyondRole = await postTokenForm(t.app, cookie, {
      name: 'x',
      permissions: ['saas.tenants.view', 'saas.tenants.delete'],
    })
    expect(beyondRole.status).toBe(422)
    expect(textOf(await beyondRole.text(), '#permissions-error')).toMatch(/saas\.tenants\.delete/)
    const tooLong = await postTokenForm(t.app, cookie, {
      name: 'x',
      permissions: ['saas.tenants.view'],
      expiresInDays: '400',
    })
    expect(tooLong.status).toBe(422)
    expect(textOf(await tooLong.text(), '#expiry-error')).toMatch(/at most one year/)
  })

  it('offers only the permissions of the operator’s role', async () => {
    const { cookie } = await signedIn('support')
    const html = await (await getPage(t.app, '/account/tokens', cookie)).text()
    const boxes = [...parseHtml(html).querySelectorAll('input[name=permissions]')].map((e) =>
      e.getAttribute('value'),
    )
    expect(boxes).toContain('saas.tenants.impersonate')
    expect(boxes).not.toContain('saas.tenants.edit')
  })

  it('asks for step-up before making a token that may act where the console asks for it', async () => {
    const { who, cookie } = await signedIn('owner')
    t.clock.advance(11 * MINUTE)
    const res = await postTokenForm(t.app, cookie, {
      name: 'deleter',
      permissions: ['saas.tenants.delete'],
      stepUp: true,
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up/)
    const none = await t.db
      .selectFrom('api_tokens')
      .select('id')
      .where('super_admin_id', '=', who.admin.id)
      .execute()
    expect(none).toEqual([])

    const fresh = await signIn(t.app, who, t.clock)
    const token = await newToken(fresh, { permissions: ['saas.tenants.delete'], stepUp: true })
    expect((await tokenRow(idOf(token))).step_up).toBe(true)
  })
})

describe('listing and revoking', () => {
  it('shows owners every operator’s tokens with the owner; other roles see only their own', async () => {
    const admin = await signedIn('admin')
    const adminToken = idOf(await newToken(admin.cookie))
    const owner = await signedIn('owner')
    const ownerHtml = await (await getPage(t.app, '/account/tokens', owner.cookie)).text()
    expect(textOf(ownerHtml, `#all-token-table-${adminToken}`)).toContain(admin.who.admin.email)
    const other = await signedIn('admin')
    const otherHtml = await (await getPage(t.app, '/account/tokens', other.cookie)).text()
    expect(otherHtml).not.toContain(adminToken)
    expect(otherHtml).not.toContain('All operators')
  })

  it('a non-owner cannot revoke someone else’s token (403); an unknown id is 404', async () => {
    const a = await signedIn('admin')
    const b = await signedIn('admin')
    const id = idOf(await newToken(a.cookie))
    const res = await sendForm(t.app, 'DELETE', `/account/tokens/${id}`, {}, b.cookie)
    expect(res.status).toBe(403)
    expect((await tokenRow(id)).revoked_at).toBeNull()
    const unknown = await sendForm(t.app, 'DELETE', '/account/tokens/nope', {}, b.cookie)
    expect(unknown.status).toBe(404)
  })

  it('revoking stops the token at once: /api/v1 answers 401, and the revocation is audited', async () => {
    const { who, cookie } = await signedIn('operator')
    const token = await newToken(cookie)
    expect((await callApi(t.app, token)).status).toBe(404)
    const res = await sendForm(
      t.app,
      'POST',
      `/account/tokens/${idOf(token)}`,
      { _method: 'DELETE' },
      cookie,
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/account/tokens')
    const refused = await callApi(t.app, token)
    expect(refused.status).toBe(401)
    expect((await refused.json()).detail).toMatch(/revoked/)
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'api_token.revoke')
      .where('target_id', '=', idOf(token))
      .executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(who.admin.id)
  })

  it('an owner revokes another operator’s token from the all-tokens table', async () => {
    const a = await signedIn('viewer')
    const id = idOf(await newToken(a.cookie))
    const owner = await signedIn('owner')
    const res = await sendForm(t.app, 'DELETE', `/account/tokens/${id}`, {}, owner.cookie)
    expect(res.status).toBe(303)
    expect(await tokenRow(id)).toMatchObject({ revoked_by: owner.who.admin.id })
  })
})

describe('what the API does with a token', () => {
  it('answers 401 for an expired token', async () => {
    const { cookie } = await signedIn('admin')
    const token = await newToken(cookie)
    await t.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(t.clock.now() - 1000) })
      .where('id', '=', idOf(token))
      .execute()
    const res = await callApi(t.app, token)
    expect(res.status).toBe(401)
    expect((await res.json()).detail).toMatch(/expired/)
  })

  it('answers 401 once the owner is deactivated, without touching the token', async () => {
    const { who, cookie } = await signedIn('admin')
    const token = await newToken(cookie)
    expect((await callApi(t.app, token)).status).toBe(404)
    await t.db
      .updateTable('super_admins')
      .set({ is_active: false })
      .where('id', '=', who.admin.id)
      .execute()
    const res = await callApi(t.app, token)
    expect(res.status).toBe(401)
    expect((await res.json()).detail).toMatch(/deactivated/)
    expect((await tokenRow(idOf(token))).revoked_at).toBeNull()
  })

  it('records when and from where the token was last used', async () => {
    const { cookie } = await signedIn('admin')
    const token = await newToken(cookie)
    await t.app.request(
      '/api/v1/anything',
      { headers: { authorization: `Bearer ${token}` } },
      { incoming: { socket: { remoteAddress: '192.0.2.44' } } },
    )
    expect(await tokenRow(idOf(token))).toMatchObject({
      last_used_at: new Date(t.clock.now()),
      last_used_ip: '192.0.2.44',
    })
    const html = await (await getPage(t.app, '/account/tokens', cookie)).text()
    expect(textOf(html, `#own-token-table-${idOf(token)}`)).toContain('from 192.0.2.44')
  })

  it('is not accepted on console pages: /tenants with a bearer token goes to sign-in', async () => {
    const { cookie } = await signedIn('owner')
    const token = await newToken(cookie)
    const res = await t.app.request('/tenants', { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/login/)
  })

  it('loses a permission the owner’s role lost (403), and step-up routes need a step-up token', async () => {
    const guarded = guardedApi()
    const { who, cookie } = await signedIn('admin')
    const token = await newToken(cookie, {
      permissions: ['saas.tenants.view', 'saas.tenants.create'],
    })
    expect((await callApi(guarded, token, '/create')).status).toBe(200)
    expect((await callApi(guarded, token, '/delete')).status).toBe(403)
    const stepUp = await callApi(guarded, token, '/create-with-step-up')
    expect(stepUp.status).toBe(403)
    expect((await stepUp.json()).code).toBe('step_up_required')
    await t.db
      .updateTable('super_admins')
      .set({ role: 'viewer' })
      .where('id', '=', who.admin.id)
      .execute()
    const lowered = await callApi(guarded, token, '/create')
    expect(lowered.status).toBe(403)
    expect((await lowered.json()).code).toBe('forbidden')
    expect((await callApi(guarded, token, '/view')).status).toBe(200)
  })
})

describe('rate limit per token', () => {
  const limited = useTestApp({ API_RATE_LIMIT_PER_MINUTE: '2' })

  it('answers the third call of a minute with 429 and Retry-After', async () => {
    const who = await createSuperAdmin(limited.db, limited.config, { role: 'admin' })
    const cookie = await signIn(limited.app, who, limited.clock)
    const res = await postTokenForm(limited.app, cookie, {
      name: 'busy',
      permissions: ['saas.tenants.view'],
    })
    const token = textOf(await res.text(), '#api-token-value')!
    // Stay inside one clock minute: the limit counts per minute.
    limited.clock.set(Math.ceil(limited.clock.now() / MINUTE) * MINUTE + 1000)
    expect((await callApi(limited.app, token)).status).toBe(404)
    expect((await callApi(limited.app, token)).status).toBe(404)
    const third = await callApi(limited.app, token)
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await third.json()).code).toBe('rate_limited')
  })
})

/**
 * Guarded API routes for this test only: the REST resources are other files' work, and these
 * exercise the guards alone, on the test app's database and clock.
 */
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
  api.get('/create', requireApiPermission('saas.tenants.create'), (c) => c.json({ ok: true }))
  api.get('/delete', requireApiPermission('saas.tenants.delete'), (c) => c.json({ ok: true }))
  api.get(
    '/create-with-step-up',
    requireApiPermission('saas.tenants.create', { stepUp: true }),
    (c) => c.json({ ok: true }),
  )
  api.onError((err, c) => {
    if (err instanceof ApiRefusal) return apiProblem(c, err.status, err.code, err.message)
    throw err
  })
  return api as unknown as App
}
