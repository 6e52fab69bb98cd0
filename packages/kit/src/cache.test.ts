import { describe, expect, it } from 'vitest'
import { createCache, MAX_CACHE_MS } from './cache.js'
import { createKit } from './kit.js'
import { KitError } from './client.js'

function fakeClock(start = 1_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

/** A Fleetdeck answering one tenant with an ETag and honouring If-None-Match; calls are counted. */
function tenantServer() {
  const seen: { ifNoneMatch: string | null }[] = []
  let tenant = {
    id: 't-1',
    slug: 'acme',
    name: 'Acme',
    status: 'active',
    plan: { id: 'pro', name: 'Professional' },
    quotas: { members: 25, storage: null, custom_domains: 3, api_calls_per_day: null },
    planChangedAt: null,
    suspendedAt: null,
  }
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers)
    seen.push({ ifNoneMatch: headers.get('if-none-match') })
    await Promise.resolve()
    const etag = `"${tenant.status}"`
    if (headers.get('if-none-match') === etag) return new Response(null, { status: 304 })
    return Response.json({ tenant }, { headers: { etag } })
  }) as typeof globalThis.fetch
  return {
    fetch,
    seen,
    suspend: () => void (tenant = { ...tenant, status: 'suspended' }),
  }
}

describe('the cache', () => {
  it('answers from memory within the TTL and asks again after it', async () => {
    const clock = fakeClock()
    const cache = createCache<number>({ ttlMs: 5000, now: clock.now })
    let loads = 0
    const load = async () => ({ value: ++loads })

    expect((await cache.get('k', load)).value).toBe(1)
    clock.advance(4999)
    expect((await cache.get('k', load)).value).toBe(1)
    clock.advance(1)
    expect((await cache.get('k', load)).value).toBe(2)
  })

  it('never holds an answer longer than 5 s, whatever TTL it is given', async () => {
    const clock = fakeClock()
    const cache = createCache<number>({ ttlMs: 60_000, now: clock.now })
    let loads = 0
    await cache.get('k', async () => ({ value: ++loads }))
    clock.advance(MAX_CACHE_MS)
    await cache.get('k', async () => ({ value: ++loads }))
    expect(loads).toBe(2)
  })

  it('shares one load among concurrent misses, and its failure, which is not cached', async () => {
    const clock = fakeClock()
    const cache = createCache<number>({ ttlMs: 5000, now: clock.now })
    let loads = 0
    let fail = true
    const load = async () => {
      loads += 1
      await new Promise((r) => setTimeout(r, 5))
      if (fail) throw new Error('down')
      return { value: loads }
    }

    const failed = await Promise.allSettled([cache.get('k', load), cache.get('k', load)])
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(loads).toBe(1)

    fail = false
    const values = await Promise.all([1, 2, 3].map(() => cache.get('k', load)))
    expect(values.map((v) => v.value)).toEqual([2, 2, 2])
    expect(loads).toBe(2)
  })

  it('forgets one key, or every key under a prefix', async () => {
    const clock = fakeClock()
    const cache = createCache<string>({ ttlMs: 5000, now: clock.now })
    let n = 0
    const load = async () => ({ value: `v${++n}` })
    await cache.get('member:acme:a', load)
    await cache.get('member:acme:b', load)
    await cache.get('member:beta:a', load)

    cache.forget('member:acme:', true)

    expect((await cache.get('member:acme:a', load)).value).toBe('v4')
    expect((await cache.get('member:beta:a', load)).value).toBe('v3')
  })
})

describe('tenant resolution through the cache', () => {
  const options = { fleetdeckUrl: 'http://fd.test', appKey: 'fdk_x.y', appUrl: 'http://app.test' }

  it('revalidates with If-None-Match after 5 s and keeps the tenant on a 304', async () => {
    const clock = fakeClock()
    const server = tenantServer()
    const kit = createKit({ ...options, fetch: server.fetch, now: clock.now })

    expect((await kit.resolveTenant('acme')).ok).toBe(true)
    clock.advance(5000)
    expect((await kit.resolveTenant('acme')).ok).toBe(true)

    expect(server.seen).toEqual([{ ifNoneMatch: null }, { ifNoneMatch: '"active"' }])
  })

  it('sees a suspension at the first revalidation, not before', async () => {
    const clock = fakeClock()
    const server = tenantServer()
    const kit = createKit({ ...options, fetch: server.fetch, now: clock.now })
    await kit.resolveTenant('acme')

    server.suspend()
    clock.advance(3999)
    expect((await kit.resolveTenant('acme')).ok).toBe(true)
    clock.advance(1)

    expect(await kit.resolveTenant('acme')).toMatchObject({
      ok: false,
      status: 403,
      reason: 'suspended',
    })
    expect(server.seen).toHaveLength(2)
  })

  it('makes one request for many concurrent misses', async () => {
    const clock = fakeClock()
    const server = tenantServer()
    const kit = createKit({ ...options, fetch: server.fetch, now: clock.now })

    const all = await Promise.all(Array.from({ length: 20 }, () => kit.resolveTenant('acme')))

    expect(all.every((r) => r.ok)).toBe(true)
    expect(server.seen).toHaveLength(1)
  })

  it('turns an unreachable Fleetdeck into a KitError, and asks again next time', async () => {
    const clock = fakeClock()
    let up = false
    const server = tenantServer()
    const fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
      up
        ? server.fetch(input, init)
        : Promise.reject(new TypeError('fetch failed'))) as typeof globalThis.fetch
    const kit = createKit({ ...options, fetch, now: clock.now })

    const error = await kit.resolveTenant('acme').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KitError)
    expect(error).toMatchObject({ status: 502, code: 'fleetdeck_unreachable' })

    up = true
    expect((await kit.resolveTenant('acme')).ok).toBe(true)
  })
})
