import { describe, expect, it } from 'vitest'
import { HttpWindow } from '../observability/http-window.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { createTenant } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { counterRates } from './collect-postgres.js'
import { collectRedis, parseRedisMemory } from './collect-redis.js'
import { createSampler } from './sampler.js'

const t = useTestApp()

function sampler(http = new HttpWindow()) {
  return createSampler({ database: t.database, config: t.config, now: t.clock.now, http })
}

describe('one health sample', () => {
  it('reads the app pool, this process and the host, and marks what PGlite cannot give as null', async () => {
    const { metrics } = await sampler().sample()

    expect(metrics['pg.pool_max']).toBe(t.database.kind === 'pglite' ? 1 : t.database.connections)
    expect(metrics['pg.pool_waiting']).toBe(0)
    expect(metrics['pg.database_bytes']).toBeGreaterThan(1_000_000)
    expect(metrics['node.rss_bytes']).toBeGreaterThan(10_000_000)
    expect(metrics['host.memory_percent']).toBeGreaterThan(0)
    expect(metrics['host.memory_percent']).toBeLessThanOrEqual(100)
    if (t.database.kind === 'pglite') {
      for (const key of ['pg.connections', 'pg.max_connections', 'pg.tps', 'pg.cache_hit_percent'])
        expect(metrics[key]).toBeNull()
      expect(metrics['pg.replication_lag_seconds']).toBeNull()
    } else {
      expect(metrics['pg.connections']).toBeGreaterThanOrEqual(1)
      expect(metrics['pg.max_connections']).toBeGreaterThan(0)
      expect(metrics['pg.replicas']).toBe(0)
      expect(metrics['pg.replication_lag_seconds']).toBeNull()
      expect(metrics['pg.longest_query_seconds']).toBeGreaterThanOrEqual(0)
    }
  })

  it.runIf(process.env.TEST_DATABASE_URL)(
    'on PostgreSQL the second sample has transactions per second and the cache hit rate',
    async () => {
      const s = sampler()
      await s.sample()
      for (let i = 0; i < 5; i++) await t.db.selectFrom('tenants').select('id').execute()
      // Backends flush their counters to pg_stat_database at most once a second (PostgreSQL 15+).
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      await t.db.selectFrom('plans').select('id').execute()
      t.clock.advance(10_000)
      const { metrics } = await s.sample()
      expect(metrics['pg.tps']).toBeGreaterThan(0)
      expect(metrics['pg.cache_hit_percent']).toBeGreaterThan(0)
      expect(metrics['pg.cache_hit_percent']).toBeLessThanOrEqual(100)
    },
  )

  it('counts pending bulk items per kind with the age of the oldest, and 0 for idle kinds', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const tenants = [await createTenant(t.db), await createTenant(t.db), await createTenant(t.db)]
    const id = crypto.randomUUID()
    await t.db
      .insertInto('bulk_batches')
      .values({
        id,
        kind: 'suspend',
        params: '{}',
        filter: '{}',
        previewed_count: 3,
        matched_count: 3,
        status: 'applying',
        created_by: owner.admin.id,
        created_by_email: owner.admin.email,
        created_at: new Date(t.clock.now() - 120_000),
      })
      .execute()
    await t.db
      .insertInto('bulk_batch_items')
      .values(
        tenants.map((tenant, i) => ({
          batch_id: id,
          tenant_id: tenant.id,
          outcome: i === 0 ? ('applied' as const) : ('pending' as const),
          before: null,
          after: null,
        })),
      )
      .execute()

    const { metrics } = await sampler().sample()

    expect(metrics['jobs.bulk.suspend.depth']).toBe(2)
    expect(metrics['jobs.bulk.suspend.oldest_pending_seconds']).toBeCloseTo(120, 0)
    expect(metrics['jobs.bulk.plan_change.depth']).toBe(0)
    // Fleet jobs (issue 11): none in this database, a measured zero.
    expect(metrics['jobs.items_pending']).toBe(0)
    expect(metrics['jobs.backup_queue_depth']).toBe(0)
    await t.db.deleteFrom('bulk_batch_items').where('batch_id', '=', id).execute()
    await t.db.deleteFrom('bulk_batches').where('id', '=', id).execute()
  })

  it('takes the scheduler lag as the worst start over the last minute and 10 minutes, start-ups left out', async () => {
    const now = t.clock.now()
    const run = (task: string, plannedAgoS: number, lateS: number, catchUp = false) => ({
      task,
      planned_at: new Date(now - plannedAgoS * 1000),
      started_at: new Date(now - plannedAgoS * 1000 + lateS * 1000),
      outcome: 'succeeded' as const,
      instance: 'test:1',
      catch_up: catchUp,
    })
    await t.db
      .insertInto('scheduler_runs')
      .values([
        // A start-up's claim of a slot under way, or a takeover, is a start, not a delay.
        run('lag-a', 590, 400, true),
        run('lag-b', 40, 35, true),
        run('lag-a', 30, 0.5),
        run('lag-b', 50, 2),
        run('lag-a', 300, 9),
        run('lag-b', 900, 60),
      ])
      .execute()

    const { metrics } = await sampler().sample()

    expect(metrics['scheduler.lag_1m_seconds']).toBeCloseTo(2, 3)
    expect(metrics['scheduler.lag_10m_seconds']).toBeCloseTo(9, 3)
    await t.db.deleteFrom('scheduler_runs').where('task', 'in', ['lag-a', 'lag-b']).execute()
  })

  it('reads p50/p95/p99 and the error rate of the last minute from the request window', async () => {
    const http = new HttpWindow()
    for (let i = 0; i < 99; i++) http.record(5, 200, t.clock.now())
    http.record(5, 503, t.clock.now())

    const { metrics } = await sampler(http).sample()

    expect(metrics['http.requests_1m']).toBe(100)
    expect(metrics['http.error_percent_1m']).toBeCloseTo(1, 6)
    expect(metrics['http.p95_ms_1m']).toBeGreaterThanOrEqual(5)
    expect(metrics['http.p95_ms_1m']).toBeLessThanOrEqual(6)
  })

  it('has no request latency rather than a zero latency when no request came', async () => {
    const { metrics } = await sampler().sample()
    expect(metrics['http.requests_1m']).toBe(0)
    expect(metrics['http.p95_ms_1m']).toBeNull()
    expect(metrics['http.error_percent_1m']).toBeNull()
  })
})

describe('deltas between samples', () => {
  const reading = (xacts: number, hit: number, read: number, atMs: number) => ({
    counters: { xacts, blksHit: hit, blksRead: read },
    atMs,
  })

  it('divides the transactions by the seconds between readings and takes the hit rate of the blocks in between', () => {
    expect(counterRates(reading(100, 1000, 10, 0), reading(150, 1990, 20, 10_000))).toEqual({
      tps: 5,
      cacheHitPercent: 99,
    })
  })

  it('has no rates on the first reading or after a statistics reset', () => {
    expect(counterRates(undefined, reading(1, 1, 1, 0))).toEqual({
      tps: null,
      cacheHitPercent: null,
    })
    expect(counterRates(reading(100, 50, 5, 0), reading(3, 2, 1, 10_000))).toEqual({
      tps: null,
      cacheHitPercent: null,
    })
  })
})

describe('Redis memory', () => {
  it('parses used_memory and maxmemory from INFO memory', () => {
    expect(parseRedisMemory('# Memory\r\nused_memory:1048576\r\nmaxmemory:4194304\r\n')).toEqual({
      used: 1048576,
      max: 4194304,
    })
    expect(parseRedisMemory('garbage')).toBeUndefined()
  })

  it('reads a real Redis: used memory in bytes, and a percentage only when maxmemory is set', async () => {
    const metrics = await collectRedis('redis://127.0.0.1:6379')
    expect(metrics['redis.used_memory_bytes']).toBeGreaterThan(0)
    const max = metrics['redis.maxmemory_bytes']
    if (max === null) expect(metrics['redis.memory_percent']).toBeNull()
    else
      expect(metrics['redis.memory_percent']).toBeCloseTo(
        (metrics['redis.used_memory_bytes']! / max) * 100,
      )
  })

  it('gives nulls, not zeros, when Redis does not answer', async () => {
    const started = Date.now()
    const metrics = await collectRedis('redis://127.0.0.1:1')
    expect(metrics).toEqual({
      'redis.used_memory_bytes': null,
      'redis.maxmemory_bytes': null,
      'redis.memory_percent': null,
    })
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
