import { Hono } from 'hono'
import { methodOverride } from 'hono/method-override'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSuperAdmin,
  createTenant,
  createTestAppWith,
  getPage,
  postForm,
  signIn,
  type TestApp,
} from '../test-support/factories.js'
import { BUSY_RETRY_AFTER_SECONDS, limitDatabaseQueue } from './database-queue.js'

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

  it('answers every request that finds a place in the queue, in arrival order', async () => {
    const capacity = t.database.connections + 8
    const finished: number[] = []
    const responses = await Promise.all(
      Array.from({ length: capacity }, (_, i) =>
        getPage(t.app, '/readyz').then((res) => (finished.push(i), res)),
      ),
    )

    expect(responses.map((res) => res.status)).toEqual(Array(capacity).fill(200))
    // With one connection (the embedded database) they also finish in the order they came.
    if (t.database.connections === 1) expect(finished).toEqual([...finished].sort((a, b) => a - b))
  })

  it('serves again as soon as the queue has drained', async () => {
    await Promise.all(Array.from({ length: 50 }, () => getPage(t.app, '/readyz')))

    const res = await getPage(t.app, '/readyz')

    expect(res.status).toBe(200)
  })

  it('a form that overrides its method runs in its own turn instead of waiting for itself', async () => {
    // methodOverride dispatches `_method=DELETE` through the app again, inside the first request.
    const res = await Promise.race([
      t.app.request('/logout', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost',
        },
        body: '_method=DELETE',
      }),
      new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 5_000)),
    ])

    expect(res).not.toBe('stuck')
  })

  it('never refuses the liveness probe, however busy', async () => {
    const responses = await Promise.all([
      ...Array.from({ length: 50 }, () => getPage(t.app, '/readyz')),
      getPage(t.app, '/healthz'),
    ])

    expect(responses.at(-1)!.status).toBe(200)
  })

  it('a form with _method=DELETE is served on one connection: its second dispatch uses the first one’s slot', async () => {
    const app = new Hono()
    app.use(limitDatabaseQueue({ connections: 1, queueLimit: 4 }), methodOverride({ app }))
    app.delete('/thing', (c) => c.text('deleted'))
    const request = app.request('/thing', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_method=DELETE',
    })
    const stuck = new Promise<string>((resolve) => setTimeout(() => resolve('stuck'), 2000))

    const res = await Promise.race([request, stuck])

    expect(res).not.toBe('stuck')
    expect(await (res as Response).text()).toBe('deleted')
    // and the slot is given back: the next request is served.
    expect((await app.request('/thing', { method: 'DELETE' })).status).toBe(200)
  })
})

describe('a form sent without JavaScript as DELETE (`_method=DELETE`)', () => {
  it('takes one place in the queue, so it is answered on a single connection', async () => {
    // Method override dispatches the request again through the app; when the queue ran before
    // it, the outer request held the only connection's turn and the inner one waited for it.
    const owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const cookie = await signIn(t.app, owner, t.clock)
    const tenant = await createTenant(t.db)
    await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)

    const answered = await Promise.race([
      postForm(t.app, `/tenants/${tenant.id}/suspension`, { _method: 'DELETE' }, cookie),
      new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 10_000)),
    ])

    expect(answered === 'no answer' ? answered : answered.status).toBe(303)
    const row = await t.db
      .selectFrom('tenants')
      .select('status')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('active')
  })
})
