import type { DatabaseHandle } from '../db/database.js'
import { readDatabaseBytes, readServerActivity, type DatabaseCounters } from '../db/health-stats.js'

// PostgreSQL (pg.* keys). The pool counters come from the app's own pool; the rest from the
// server's statistics views. PGlite is one backend in this process without a statistics
// collector worth the name (its counters lag, pg_stat_activity shows only us, max_connections
// means nothing): those metrics are null there, and the page says why. The database size is
// real on both.

/** What a delta needs from the previous sample: the counters and when they were read (ms). */
export type CounterReading = { counters: DatabaseCounters; atMs: number }

/**
 * Transactions per second and the cache hit rate (0–100) between two readings; null without a
 * previous reading, when time did not move, after a statistics reset (a counter went down), or
 * (hit rate) when no block was read at all in between.
 */
export function counterRates(
  previous: CounterReading | undefined,
  current: CounterReading,
): { tps: number | null; cacheHitPercent: number | null } {
  if (!previous) return { tps: null, cacheHitPercent: null }
  const seconds = (current.atMs - previous.atMs) / 1000
  const xacts = current.counters.xacts - previous.counters.xacts
  const hit = current.counters.blksHit - previous.counters.blksHit
  const read = current.counters.blksRead - previous.counters.blksRead
  const reset = xacts < 0 || hit < 0 || read < 0
  return {
    tps: reset || seconds <= 0 ? null : xacts / seconds,
    cacheHitPercent: reset || hit + read === 0 ? null : (hit / (hit + read)) * 100,
  }
}

/**
 * The app pool: in use = total − idle, of max; requests waiting for a connection. PGlite has
 * one connection by design, so any query in flight would read as a full pool: its use is not
 * a utilisation there (null); its size and queue are still real.
 */
export function poolMetrics(database: DatabaseHandle): Record<string, number | null> {
  const pool = database.poolStats()
  const inUse = Math.max(0, pool.total - pool.idle)
  const embedded = database.kind === 'pglite'
  return {
    'pg.pool_in_use': embedded ? null : inUse,
    'pg.pool_max': pool.max,
    'pg.pool_percent': embedded || pool.max === 0 ? null : (inUse / pool.max) * 100,
    'pg.pool_waiting': pool.waiting,
  }
}

const SERVER_ONLY_NULLS = {
  'pg.connections': null,
  'pg.max_connections': null,
  'pg.connections_percent': null,
  'pg.cache_hit_percent': null,
  'pg.tps': null,
  'pg.longest_query_seconds': null,
  'pg.longest_query_pid': null,
  'pg.replicas': null,
  'pg.replication_lag_seconds': null,
}

/**
 * The server's view, and this reading of its counters for the next delta. On PGlite only the
 * database size is read. Call poolMetrics first: these queries take pool connections.
 */
export async function collectPostgres(
  database: DatabaseHandle,
  previous: CounterReading | undefined,
  nowMs: number,
): Promise<{ metrics: Record<string, number | null>; reading: CounterReading | undefined }> {
  if (database.kind === 'pglite') {
    const bytes = await readDatabaseBytes(database.db)
    return { metrics: { ...SERVER_ONLY_NULLS, 'pg.database_bytes': bytes }, reading: undefined }
  }
  const [activity, bytes] = await Promise.all([
    readServerActivity(database.db),
    readDatabaseBytes(database.db),
  ])
  const reading = { counters: activity.counters, atMs: nowMs }
  const rates = counterRates(previous, reading)
  return {
    reading,
    metrics: {
      'pg.connections': activity.connections,
      'pg.max_connections': activity.maxConnections,
      'pg.connections_percent': (activity.connections / activity.maxConnections) * 100,
      'pg.cache_hit_percent': rates.cacheHitPercent,
      'pg.tps': rates.tps,
      'pg.longest_query_seconds': activity.longest?.seconds ?? 0,
      'pg.longest_query_pid': activity.longest?.pid ?? null,
      'pg.database_bytes': bytes,
      'pg.replicas': activity.replicas,
      'pg.replication_lag_seconds': activity.replicationLagSeconds,
    },
  }
}
