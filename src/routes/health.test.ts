import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, getPage, type TestApp } from '../test-support/factories.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})

afterAll(() => t?.close())

describe('health endpoints', () => {
  it('/healthz answers 200 ok without a session', async () => {
    const res = await getPage(t.app, '/healthz')

    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('/readyz answers 200 with the database kind once the database answers', async () => {
    const res = await getPage(t.app, '/readyz')

    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ready', database: t.database.kind })
  })

  it('/readyz answers 503 when the database does not answer', async () => {
    const { createApp } = await import('../app.js')
    const broken = createApp({
      config: t.config,
      database: { ...t.database, db: brokenDb() },
    })

    const res = await getPage(broken, '/readyz')

    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ status: 'unavailable', database: t.database.kind })
  })
})

describe('unknown addresses', () => {
  it('an unknown path answers the 404 page with the request id, without a session', async () => {
    const res = await getPage(t.app, '/no/such/page')
    const body = await res.text()
    const requestId = res.headers.get('x-request-id')

    expect(res.status).toBe(404)
    expect(body).toContain('There is nothing at this address.')
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(body).toContain(`<code id="request-id">${requestId}</code>`)
  })
})

/** A Kysely instance whose every query fails, as when the server has gone away. */
function brokenDb() {
  return new Proxy(t.db, {
    get(target, prop, receiver) {
      if (prop === 'getExecutor') {
        return () => {
          throw new Error('connection refused')
        }
      }
      return Reflect.get(target, prop, receiver)
    },
  })
}
