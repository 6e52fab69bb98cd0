import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../app.js'
import { createEnrolmentToken } from '../auth/enrolment.js'
import { captureLogger } from '../observability/capture-logger.js'
import { processHttpWindow } from '../observability/http-window.js'
import { createTenant } from '../test-support/factories.js'
import { getPage, login, send, SESSION_COOKIE } from '../test-support/requests.js'
import { testConfig, useTestApp } from '../test-support/test-app.js'
import { UNMATCHED_ROUTE } from './observe.js'

const t = useTestApp()
let capture: ReturnType<typeof captureLogger>
let app: App

beforeAll(() => {
  capture = captureLogger('info')
  app = createApp({
    config: testConfig(),
    database: t.database,
    now: t.clock.now,
    logger: capture.logger,
  })
})

const requestLines = () => capture.lines().filter((line) => line.msg === 'request')
let seen = 0
/** The request lines written since the previous call. */
function newLines() {
  const lines = requestLines().slice(seen)
  seen += lines.length
  return lines
}
afterEach(() => void newLines())

describe('one JSON line per request', () => {
  it('names the route pattern, method, status, duration, operator, address and request id', async () => {
    const { owner, cookie } = await t.signedInOwner()
    const tenant = await createTenant(t.db)
    newLines()

    const res = await send(app, 'GET', `/tenants/${tenant.id}`, { cookie, ip: '203.0.113.7' })

    expect(res.status).toBe(200)
    const lines = newLines()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'request',
      requestId: res.headers.get('x-request-id'),
      method: 'GET',
      route: '/tenants/:id',
      status: 200,
      operatorId: owner.admin.id,
      ip: '203.0.113.7',
    })
    expect(lines[0].durationMs).toEqual(expect.any(Number))
    expect(lines[0].durationMs as number).toBeGreaterThan(0)
    expect(JSON.stringify(lines[0])).not.toContain(tenant.id)
  })

  it('logs an enrolment link by its pattern, never its token', async () => {
    const token = await createEnrolmentToken(t.db, 'setup', null)

    const res = await getPage(app, `/enrol/${token}`)

    expect(res.status).toBe(200)
    expect(newLines()).toMatchObject([{ route: '/enrol/:token' }])
    expect(capture.text()).not.toContain(token)
    expect(capture.text()).not.toContain(token.split('.')[1])
  })

  it('logs no password, cookie or query string of a sign-in', async () => {
    const { owner } = await t.signedInOwner()
    const res = await login(app, owner, { password: 'wrong horse staple 1234' })
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]
    await getPage(app, '/tenants?q=secret-query-value', `${SESSION_COOKIE}=not-a-real-session`)

    const lines = newLines()
    expect(lines.map((l) => [l.method, l.route])).toEqual([
      ['POST', '/login'],
      ['GET', '/tenants'],
    ])
    const text = capture.text()
    expect(text).not.toContain('wrong horse staple 1234')
    expect(text).not.toContain('secret-query-value')
    expect(text).not.toContain('not-a-real-session')
    if (cookie) expect(text).not.toContain(cookie.split('=')[1])
  })

  it('labels an address no route answers as unmatched, not by its path', async () => {
    const { cookie } = await t.signedInOwner()
    const res = await getPage(app, '/no-such-page-xyz789', cookie)

    expect(res.status).toBe(404)
    expect(newLines()).toMatchObject([{ route: UNMATCHED_ROUTE, status: 404 }])
    expect(capture.text()).not.toContain('xyz789')
  })

  it('logs a no-JS form sent as _method=DELETE once, with the real method and route', async () => {
    const { cookie } = await t.signedInOwner()
    const tenant = await createTenant(t.db)

    const res = await send(app, 'POST', `/tenants/${tenant.id}/suspension`, {
      cookie,
      fields: { _method: 'DELETE' },
    })

    expect(res.status).toBeLessThan(500)
    expect(newLines()).toMatchObject([
      { method: 'DELETE', route: '/tenants/:id/suspension', status: res.status },
    ])
  })

  it('counts every request in the process window the health panel reads', async () => {
    const before = processHttpWindow.stats('minute').requests
    await getPage(app, '/healthz')
    await getPage(app, '/healthz')
    expect(processHttpWindow.stats('minute').requests).toBe(before + 2)
  })

  it('keeps answered health probes out of the info log, but not a refused scrape', async () => {
    expect((await getPage(app, '/healthz')).status).toBe(200)
    expect(newLines()).toEqual([])
    const refused = await app.request('/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } })
    expect(refused.status).toBe(403)
    expect(newLines()).toMatchObject([{ route: '/metrics', status: 403 }])
  })

  it('writes nothing when the app is built with observe: false', async () => {
    const quiet = createApp({
      config: testConfig(),
      database: t.database,
      logger: capture.logger,
      observe: false,
    })
    const before = processHttpWindow.stats('minute').requests
    expect((await getPage(quiet, '/login')).status).toBe(200)
    expect(newLines()).toEqual([])
    expect(processHttpWindow.stats('minute').requests).toBe(before)
  })
})

describe('routePattern', () => {
  it('gives the full pattern of a route in a sub-app mounted under a parameter', async () => {
    const { cookie } = await t.signedInOwner()
    const tenant = await createTenant(t.db)
    const res = await getPage(app, `/tenants/${tenant.id}/members`, cookie)
    expect(res.status).toBe(303)
    expect(newLines()).toMatchObject([{ route: '/tenants/:id/members', status: 303 }])
  })

  it('tells a fixed path from the parameter route that also matches it', async () => {
    const { cookie } = await t.signedInOwner()
    expect((await getPage(app, '/tenants/new', cookie)).status).toBe(200)
    expect(newLines()).toMatchObject([{ route: '/tenants/new', status: 200 }])
  })

  it('names the route a guard refused, though its handler never ran', async () => {
    const res = await getPage(app, '/tenants/new')
    expect(res.status).toBe(303)
    expect(newLines()).toMatchObject([{ route: '/tenants/new', status: 303 }])
  })
})
