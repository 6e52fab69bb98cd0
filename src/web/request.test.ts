import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auditEntries,
  createSuperAdmin,
  createTestApp,
  newTenantFields,
  signIn,
  type TestAdmin,
  type TestApp,
} from '../test-support/factories.js'
import type { AppEnv } from './env.js'
import { assignRequestId, clientRequestId } from './request-id.js'

let t: TestApp
let owner: TestAdmin
let cookie: string

beforeAll(async () => {
  t = await createTestApp()
  owner = await createSuperAdmin(t.db, t.config)
  cookie = await signIn(t.app, owner, t.clock)
})
afterAll(() => t?.close())

function createTenantWith(headers: Record<string, string>, env?: object) {
  return t.app.request(
    '/tenants',
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost',
        cookie,
        ...headers,
      },
      body: new URLSearchParams(newTenantFields()).toString(),
    },
    env,
  )
}

describe('request ids', () => {
  it('a client-sent X-Request-Id never becomes the audit row’s request id: ours is generated', async () => {
    const res = await createTenantWith({ 'x-request-id': 'chosen-by-the-client' })
    expect(res.status).toBe(303)

    const [entry] = (await auditEntries(t.db, 'tenant.create')).slice(-1)
    const ours = res.headers.get('x-request-id')
    expect(ours).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(entry.request_id).toBe(ours)
    expect(entry.request_id).not.toBe('chosen-by-the-client')
  })

  it('keeps a well-formed client id apart, for the log line only; a malformed one is dropped', async () => {
    const app = new Hono<AppEnv>()
    app.use(assignRequestId)
    app.get('/', (c) => c.json({ ours: c.var.requestId, theirs: clientRequestId(c) ?? null }))

    const sent = await (await app.request('/', { headers: { 'x-request-id': 'proxy-42' } })).json()
    const bad = await (await app.request('/', { headers: { 'x-request-id': 'a b<c>' } })).json()

    expect(sent.theirs).toBe('proxy-42')
    expect(sent.ours).not.toBe('proxy-42')
    expect(bad.theirs).toBeNull()
  })
})

describe('client address', () => {
  // Node clears socket.remoteAddress once the client has closed its side of the connection.
  const halfClosed = { incoming: { socket: { remoteAddress: undefined } } }

  it('a request on a half-closed connection is refused with 400 and records nothing', async () => {
    const tenantsBefore = await t.db.selectFrom('tenants').select('id').execute()
    const auditBefore = await t.db.selectFrom('audit_log').select('seq').execute()

    const create = await createTenantWith({}, halfClosed)
    const login = await t.app.request(
      '/login',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost',
        },
        body: new URLSearchParams({ email: owner.admin.email, password: 'wrong' }).toString(),
      },
      halfClosed,
    )
    const page = await t.app.request('/login', {}, halfClosed)

    expect([create.status, login.status, page.status]).toEqual([400, 400, 400])
    expect(await page.text()).toContain('Your address could not be determined')
    expect(await t.db.selectFrom('tenants').select('id').execute()).toEqual(tenantsBefore)
    expect(await t.db.selectFrom('audit_log').select('seq').execute()).toEqual(auditBefore)
    expect(
      await t.db
        .selectFrom('sign_in_attempts')
        .select('id')
        .where('email', '=', owner.admin.email)
        .where('outcome', '!=', 'success')
        .execute(),
    ).toEqual([])
  })

  it('a request with a peer address is served and audited with that address', async () => {
    const res = await createTenantWith(
      {},
      { incoming: { socket: { remoteAddress: '::ffff:192.0.2.4' } } },
    )

    expect(res.status).toBe(303)
    const [entry] = (await auditEntries(t.db, 'tenant.create')).slice(-1)
    expect(entry.ip).toBe('192.0.2.4')
  })
})
