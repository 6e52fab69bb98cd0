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
