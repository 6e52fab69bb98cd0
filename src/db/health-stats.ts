import { sql } from 'kysely'
import type { Db } from './database.js'

// Catalog and statistics reads for the health panel (issue 10 item 3). Each is one short
// statement on the shared pool; none touches a tenant schema.

/** Cumulative counters of this database since the statistics were last reset. */
export type DatabaseCounters = {
  /** Blocks found in shared_buffers and blocks read from disk (or the OS cache). */
  blksHit: number
  blksRead: number
  /** Committed plus rolled-back transactions. */
  xacts: number
}

/** PostgreSQL's own view of its load (server only: PGlite has one backend, no stats process). */
export type ServerActivity = {
  /** Backends connected to the whole server (pg_stat_activity, client backends). */
  connections: number
  maxConnections: number
  counters: DatabaseCounters
  /** The longest active query other than this one, or null when none runs. */
  longest: { seconds: number; pid: number } | null
  /** Streaming replicas and the worst replay lag in seconds (null: none, or no lag reported). */
  replicas: number
  replicationLagSeconds: number | null
}

/**
 * Connections, counters, the longest running query and replication in one round trip.
 * Query texts are never read: they may hold tenant data; the pid is enough to find one.
 * @throws the driver's error when the server does not answer
 */
export async function readServerActivity(db: Db): Promise<ServerActivity> {
  const { rows } = await sql<{
    connections: number
    max_connections: number
    blks_hit: number
    blks_read: number
    xacts: number
    longest_seconds: number | null
    longest_pid: number | null
    replicas: number
    lag_seconds: number | null
  }>`
    with longest as (
      select extract(epoch from clock_timestamp() - query_start)::float8 as seconds, pid
      from pg_stat_activity
      where state = 'active' and pid <> pg_backend_pid() and backend_type = 'client backend'
        and query_start is not null
      order by query_start limit 1
    )
    select
      (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as connections,
      current_setting('max_connections')::int as max_connections,
      d.blks_hit::float8 as blks_hit, d.blks_read::float8 as blks_read,
      (d.xact_commit + d.xact_rollback)::float8 as xacts,
      (select seconds from longest) as longest_seconds,
      (select pid from longest) as longest_pid,
      (select count(*) from pg_stat_replication)::int as replicas,
      (select max(extract(epoch from replay_lag))::float8 from pg_stat_replication) as lag_seconds
    from pg_stat_database d where d.datname = current_database()`.execute(db)
  const r = rows[0]
  return {
    connections: r.connections,
    maxConnections: r.max_connections,
    counters: { blksHit: r.blks_hit, blksRead: r.blks_read, xacts: r.xacts },
    longest:
      r.longest_seconds === null || r.longest_pid === null
        ? null
        : { seconds: r.longest_seconds, pid: r.longest_pid },
    replicas: r.replicas,
    replicationLagSeconds: r.lag_seconds,
  }
}

/** Size of the current database in bytes (pg_database_size; works on PGlite too). */
export async function readDatabaseBytes(db: Db): Promise<number> {
  const { rows } = await sql<{
    bytes: number
  }>`select pg_database_size(current_database())::float8 as bytes`.execute(db)
  return rows[0].bytes
}

/**
 * The server's data directory, or undefined when this role may not read it (`show
 * data_directory` needs superuser or pg_read_all_settings).
 */
export async function readDataDirectory(db: Db): Promise<string | undefined> {
  try {
    const { rows } = await sql<{
      dir: string
    }>`select current_setting('data_directory') as dir`.execute(db)
    return rows[0]?.dir || undefined
  } catch {
    return undefined
  }
}

/** Pending work of one job kind: items not done yet, and how long the oldest has waited. */
export type QueueDepth = { kind: string; depth: number; oldestPendingSeconds: number }

/**
 * Queue depth and oldest pending age per job kind, at `now`. Today's job-like work is bulk
 * batches: an applying batch's `pending` items, and a rolling-back batch's applied items not yet
 * rolled back (kind `bulk.<kind>`; their wait counts from the batch's creation, the rollback
 * from when it was applied). Fleet jobs (a later issue) add a `union all` branch with their kind.
 * Kinds with nothing pending are absent.
 */
export async function listQueueDepths(db: Db, now: Date): Promise<QueueDepth[]> {
  const { rows } = await sql<{ kind: string; depth: number; oldest_seconds: number }>`
    with pending as (
      select 'bulk.' || b.kind as kind, b.created_at as since
      from bulk_batch_items i join bulk_batches b on b.id = i.batch_id
      where b.status = 'applying' and i.outcome = 'pending'
      union all
      select 'bulk.' || b.kind, coalesce(b.applied_at, b.created_at)
      from bulk_batch_items i join bulk_batches b on b.id = i.batch_id
      where b.status = 'rolling_back' and i.outcome = 'applied' and i.rollback_outcome is null
    )
    select kind, count(*)::int as depth,
      greatest(0, extract(epoch from ${now}::timestamptz - min(since)))::float8 as oldest_seconds
    from pending group by kind order by kind`.execute(db)
  return rows.map((r) => ({ kind: r.kind, depth: r.depth, oldestPendingSeconds: r.oldest_seconds }))
}

/** The scheduler's worst lag in seconds over two windows; null where no task started in it. */
export type SchedulerLag = { lastMinute: number | null; last10Minutes: number | null }

/**
 * The scheduler's worst lag, max(started_at − planned_at) in seconds, over runs planned in the
 * last minute and the last 10 minutes before `now`. Catch-up runs do not count (an instance's
 * first run of a task claims the slot already under way, a takeover starts late by design):
 * they are starts, not delays. The task names come from a loose index scan of (task,
 * planned_at), and each task's runs from a range of the same index: scheduler_runs keeps 30
 * days (some 260k rows of 10-second samples), which a plain scan would read every 10 s.
 */
export async function readSchedulerLag(db: Db, now: Date): Promise<SchedulerLag> {
  const minute = new Date(now.getTime() - 60_000)
  const tenMinutes = new Date(now.getTime() - 600_000)
  const { rows } = await sql<{ m1: number | null; m10: number | null }>`
    with recursive tasks as (
      select min(task) as task from scheduler_runs
      union all
      select (select min(task) from scheduler_runs where task > tasks.task)
      from tasks where tasks.task is not null
    )
    select
      max(lag) filter (where planned_at > ${minute}) as m1,
      max(lag) as m10
    from tasks cross join lateral (
      select planned_at, extract(epoch from started_at - planned_at)::float8 as lag
      from scheduler_runs r
      where r.task = tasks.task and r.planned_at > ${tenMinutes} and r.planned_at <= ${now}
        and not r.catch_up
    ) runs`.execute(db)
  const clamp = (v: number | null | undefined) =>
    v === null || v === undefined ? null : Math.max(0, v)
  return { lastMinute: clamp(rows[0]?.m1), last10Minutes: clamp(rows[0]?.m10) }
}
