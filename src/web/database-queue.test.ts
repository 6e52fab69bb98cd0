import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestAppWith, getPage, type TestApp } from '../test-support/factories.js'
import { BUSY_RETRY_AFTER_SECONDS } from './database-queue.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestAppWith({ DATABASE_QUEUE_LIMIT: '8' })
})
afterAll(() => t?.close())

describe('the queue in front of the database', () => {
  it('answers 503 with Retry-After beyond the limit instead of queueing every request', async () => {
    const capacity = t.database.connections + 8
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => getPage(t.app, '/readyz')),
    )
    const ok = responses.filter((res) => res.status === 200)
    const busy = responses.filter((res) => res.status === 503)

    expect(ok.length + busy.length).toBe(200)
    // All 200 arrive before the first one is answered: only `capacity` get in.
    expect(ok.length).toBeGreaterThanOrEqual(1)
    expect(ok.length).toBeLessThanOrEqual(capacity)
    for (const res of busy) {
      expect(res.headers.get('retry-after')).toBe(String(BUSY_RETRY_AFTER_SECONDS))
      expect(await res.text()).toBe('Fleetdeck is busy. Try again in a moment.')
    }
  })

  it('serves again as soon as the queue has drained', async () => {
    await Promise.all(Array.from({ length: 50 }, () => getPage(t.app, '/readyz')))

    const res = await getPage(t.app, '/readyz')

    expect(res.status).toBe(200)
  })

  it('never refuses the liveness probe, however busy', async () => {
    const responses = await Promise.all([
      ...Array.from({ length: 50 }, () => getPage(t.app, '/readyz')),
      getPage(t.app, '/healthz'),
    ])

    expect(responses.at(-1)!.status).toBe(200)
  })
})
