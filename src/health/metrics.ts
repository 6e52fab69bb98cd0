// The health panel's catalogue (issue 10 item 3): every metric the sampler writes into
// health_samples.metrics, how it reads, the threshold that judges it and what to do when it is
// not healthy. Defaults follow seed 002's table (pool < 70 % / > 90 %, Redis < 60 % / > 80 %,
// CPU < 70 % / > 85 %, queue drains within 5 minutes / > 50 jobs); the others are ours, each
// with its reason beside it. Values are numbers or null: null means "could not be read here",
// never zero.

export type MetricGroup = 'PostgreSQL' | 'Jobs' | 'Scheduler' | 'HTTP' | 'Node' | 'Host' | 'Redis'

export const METRIC_GROUPS: readonly MetricGroup[] = [
  'PostgreSQL',
  'Jobs',
  'Scheduler',
  'HTTP',
  'Node',
  'Host',
  'Redis',
]

/** How a value reads: percent 0–100, ms, seconds, bytes, a count, or per second. */
export type MetricUnit = 'percent' | 'ms' | 'seconds' | 'bytes' | 'count' | 'per_second'

export type Direction = 'higher-is-worse' | 'lower-is-worse'

/**
 * A threshold pair. Higher-is-worse: above `critical` is critical, above `warning` is a warning,
 * anything else healthy (so a value equal to a bound is on its healthy side). Lower-is-worse:
 * the same downwards. `warning === critical` leaves no warning band (the queue depth's "≤ 50
 * healthy, > 50 critical").
 */
export type Thresholds = { warning: number; critical: number }

export type HealthState = 'healthy' | 'warning' | 'critical' | 'unknown'

/** One editable threshold of /settings/thresholds; several metrics may share one (job kinds). */
export type ThresholdDef = {
  id: string
  label: string
  unit: MetricUnit
  direction: Direction
  defaults: Thresholds
  /** What to do when a metric judged by it is not healthy. */
  advice: string
}

/** How 10-second samples fold into one 5-minute row: the mean, the worst, or the latest. */
export type Fold = 'avg' | 'max' | 'last'

export type MetricDef = {
  /** The key in health_samples.metrics, e.g. `pg.pool_percent`. */
  key: string
  group: MetricGroup
  label: string
  unit: MetricUnit
  /** The threshold that judges it; none = shown for information, never unhealthy. */
  threshold?: string
  fold: Fold
  /** PGlite cannot give it: null there, said as "not available on the embedded database". */
  serverOnly?: boolean
  /** Why it may be null elsewhere, said on the page in place of a value. */
  whyMissing?: string
  /** Internal (e.g. the longest query's backend pid): stored, shown beside another metric only. */
  hidden?: boolean
}

/** Editable thresholds and their defaults, in the order of the settings form. */
export const THRESHOLDS: readonly ThresholdDef[] = [
  {
    id: 'pool',
    label: 'App connection pool in use',
    unit: 'percent',
    direction: 'higher-is-worse',
    defaults: { warning: 70, critical: 90 },
    advice:
      'Above 90 % sustained: raise the pool size (10 per instance; max_connections with it), look for slow queries holding connections, or split the cluster.',
  },
  {
    id: 'pool_waiting',
    label: 'Requests waiting for a pool connection',
    unit: 'count',
    direction: 'higher-is-worse',
    // Any wait means the pool is the bottleneck right now; 5 is a queue forming.
    defaults: { warning: 0, critical: 5 },
    advice:
      'Requests queue for a connection: the pool is too small for the load or a query holds connections too long; see the longest running query.',
  },
  {
    id: 'connections',
    label: 'Server connections of max_connections',
    unit: 'percent',
    direction: 'higher-is-worse',
    defaults: { warning: 70, critical: 90 },
    advice:
      'Near max_connections new sessions are refused: raise max_connections, put PgBouncer in front, or lower the pool size of each instance.',
  },
  {
    id: 'cache_hit',
    label: 'Buffer cache hit rate',
    unit: 'percent',
    direction: 'lower-is-worse',
    // An OLTP database serves > 99 % of reads from shared_buffers once warm.
    defaults: { warning: 99, critical: 95 },
    advice:
      'Reads miss the cache: raise shared_buffers (about 25 % of RAM) or add memory; a cold start after a restart recovers by itself.',
  },
  {
    id: 'longest_query',
    label: 'Longest running query',
    unit: 'seconds',
    direction: 'higher-is-worse',
    // Console requests take milliseconds; a minute is a stuck report or a lock wait.
    defaults: { warning: 30, critical: 300 },
    advice:
      'Find the backend pid in pg_stat_activity; cancel it with pg_cancel_backend(pid) if it is not a planned job, and check for lock waits.',
  },
  {
    id: 'replication_lag',
    label: 'Replication lag',
    unit: 'seconds',
    direction: 'higher-is-worse',
    defaults: { warning: 10, critical: 60 },
    advice:
      'Replicas fall behind: check the replica’s disk and network, long queries on it (hot_standby_feedback) and WAL volume on the primary.',
  },
  {
    id: 'queue_depth',
    label: 'Job queue depth (per kind)',
    unit: 'count',
    direction: 'higher-is-worse',
    defaults: { warning: 50, critical: 50 },
    advice:
      'Sustained > 50 pending items: the workers do not keep up; check the batch’s failures on /batches and the database load.',
  },
  {
    id: 'backup_queue',
    label: 'Backup queue depth',
    unit: 'count',
    direction: 'higher-is-worse',
    // Seed 002: sustained > 50 is a bottleneck to investigate (warning); a nightly fleet backup
    // queues every tenant at once and drains by itself, so critical only at ten times that.
    defaults: { warning: 50, critical: 500 },
    advice:
      'Backups wait: a fleet backup is running (see /jobs) or its workers do not keep up; check JOB_WORKERS, failed backup items and the disk of the backup directory.',
  },
  {
    id: 'oldest_pending',
    label: 'Oldest pending job (per kind)',
    unit: 'seconds',
    direction: 'higher-is-worse',
    // Seed 002: the queue drains within 5 minutes; three times that is stuck.
    defaults: { warning: 300, critical: 900 },
    advice:
      'Work waits longer than 5 minutes: a batch may be stuck after a crash; open it on /batches and resume or roll it back.',
  },
  {
    id: 'scheduler_lag',
    label: 'Scheduler lag',
    unit: 'seconds',
    direction: 'higher-is-worse',
    // Tasks run every 10 s at best; a lag of a slot or more means runs are being skipped.
    defaults: { warning: 5, critical: 30 },
    advice:
      'Periodic work starts late: the instance holding the scheduler is overloaded or blocked; check its event-loop delay and CPU, or restart it so another takes over.',
  },
  {
    id: 'http_p95',
    label: 'HTTP p95 latency',
    unit: 'ms',
    direction: 'higher-is-worse',
    defaults: { warning: 500, critical: 2000 },
    advice:
      'Pages are slow: look at the database pool and longest query first, then CPU and the event-loop delay.',
  },
  {
    id: 'http_errors',
    label: 'HTTP error rate (5xx)',
    unit: 'percent',
    direction: 'higher-is-worse',
    defaults: { warning: 1, critical: 5 },
    advice:
      'Requests fail with 5xx: search the logs for level "error" and the request ids on the error pages.',
  },
  {
    id: 'event_loop',
    label: 'Event-loop delay p99',
    unit: 'ms',
    direction: 'higher-is-worse',
    // Every request waits this long before it starts; 100 ms is felt, 500 ms is broken.
    defaults: { warning: 100, critical: 500 },
    advice:
      'The Node process is blocked by synchronous work: profile it (node --cpu-prof), or add instances behind the proxy.',
  },
  {
    id: 'cpu',
    label: 'Host CPU',
    unit: 'percent',
    direction: 'higher-is-worse',
    defaults: { warning: 70, critical: 85 },
    advice: 'Above 85 %: split tenants across clusters or move the database to its own host.',
  },
  {
    id: 'memory',
    label: 'Host memory',
    unit: 'percent',
    direction: 'higher-is-worse',
    defaults: { warning: 80, critical: 90 },
    advice:
      'Memory runs short: check RSS of Fleetdeck and PostgreSQL (work_mem × connections), then add memory.',
  },
  {
    id: 'disk',
    label: 'Disk of the data directory',
    unit: 'percent',
    direction: 'higher-is-worse',
    defaults: { warning: 80, critical: 90 },
    advice:
      'The disk fills: grow the volume, prune old backups and WAL; PostgreSQL stops writing when it is full.',
  },
  {
    id: 'redis',
    label: 'Redis memory of maxmemory',
    unit: 'percent',
    direction: 'higher-is-worse',
    defaults: { warning: 60, critical: 80 },
    advice: 'Above 80 %: raise Redis maxmemory or shorten cache TTLs.',
  },
]

/**
 * The job kinds the queue metrics are kept for. Today the job-like work is bulk batches
 * (src/tenancy/bulk-*.ts); fleet jobs add their kinds here (and to listQueueDepths).
 */
export const JOB_KINDS = [
  'bulk.plan_change',
  'bulk.flag_override',
  'bulk.suspend',
  'bulk.activate',
] as const

export type JobKind = (typeof JOB_KINDS)[number]

const REDIS_MISSING = 'Redis did not answer INFO within 2 s.'
const FIRST_SAMPLE = 'Needs a previous sample of this process; the next one has it.'

function jobMetrics(): MetricDef[] {
  return JOB_KINDS.flatMap((kind): MetricDef[] => [
    {
      key: `jobs.${kind}.depth`,
      group: 'Jobs',
      label: `Queue depth: ${kind}`,
      unit: 'count',
      threshold: 'queue_depth',
      fold: 'max',
    },
    {
      key: `jobs.${kind}.oldest_pending_seconds`,
      group: 'Jobs',
      label: `Oldest pending: ${kind}`,
      unit: 'seconds',
      threshold: 'oldest_pending',
      fold: 'max',
    },
  ])
}

/**
 * Every metric, in the panel's order. Fold `max` marks the worst-case ones (lags, waits,
 * longest query, tail latencies, queue depth): a 5-minute row keeps the worst 10-second value,
 * so a spike stays visible in the 7-day history; the rest fold to their mean.
 */
export const METRICS: readonly MetricDef[] = [
  {
    key: 'pg.pool_percent',
    group: 'PostgreSQL',
    label: 'App pool in use',
    unit: 'percent',
    threshold: 'pool',
    fold: 'avg',
    serverOnly: true,
  },
  {
    key: 'pg.pool_in_use',
    group: 'PostgreSQL',
    label: 'App pool connections in use',
    unit: 'count',
    fold: 'avg',
    serverOnly: true,
  },
  { key: 'pg.pool_max', group: 'PostgreSQL', label: 'App pool size', unit: 'count', fold: 'last' },
  {
    key: 'pg.pool_waiting',
    group: 'PostgreSQL',
    label: 'Requests waiting for a connection',
    unit: 'count',
    threshold: 'pool_waiting',
    fold: 'max',
  },
  {
    key: 'pg.connections_percent',
    group: 'PostgreSQL',
    label: 'Server connections of max_connections',
    unit: 'percent',
    threshold: 'connections',
    fold: 'avg',
    serverOnly: true,
  },
  {
    key: 'pg.connections',
    group: 'PostgreSQL',
    label: 'Server connections',
    unit: 'count',
    fold: 'avg',
    serverOnly: true,
  },
  {
    key: 'pg.max_connections',
    group: 'PostgreSQL',
    label: 'max_connections',
    unit: 'count',
    fold: 'last',
    serverOnly: true,
  },
  {
    key: 'pg.cache_hit_percent',
    group: 'PostgreSQL',
    label: 'Buffer cache hit rate (since the previous sample)',
    unit: 'percent',
    threshold: 'cache_hit',
    fold: 'avg',
    serverOnly: true,
    whyMissing: `${FIRST_SAMPLE} Also empty when no block was read in between.`,
  },
  {
    key: 'pg.tps',
    group: 'PostgreSQL',
    label: 'Transactions per second',
    unit: 'per_second',
    fold: 'avg',
    serverOnly: true,
    whyMissing: FIRST_SAMPLE,
  },
  {
    key: 'pg.longest_query_seconds',
    group: 'PostgreSQL',
    label: 'Longest running query',
    unit: 'seconds',
    threshold: 'longest_query',
    fold: 'max',
    serverOnly: true,
  },
  {
    key: 'pg.longest_query_pid',
    group: 'PostgreSQL',
    label: 'Backend pid of the longest query',
    unit: 'count',
    fold: 'last',
    serverOnly: true,
    hidden: true,
  },
  {
    key: 'pg.database_bytes',
    group: 'PostgreSQL',
    label: 'Database size',
    unit: 'bytes',
    fold: 'last',
  },
  {
    key: 'pg.replicas',
    group: 'PostgreSQL',
    label: 'Streaming replicas',
    unit: 'count',
    fold: 'last',
    serverOnly: true,
  },
  {
    key: 'pg.replication_lag_seconds',
    group: 'PostgreSQL',
    label: 'Replication lag (worst replica)',
    unit: 'seconds',
    threshold: 'replication_lag',
    fold: 'max',
    serverOnly: true,
    whyMissing: 'No replicas are connected.',
  },
  ...jobMetrics(),
  {
    key: 'jobs.items_pending',
    group: 'Jobs',
    label: 'Job items pending',
    unit: 'count',
    fold: 'max',
  },
  {
    key: 'jobs.backup_queue_depth',
    group: 'Jobs',
    label: 'Backup queue depth',
    unit: 'count',
    threshold: 'backup_queue',
    fold: 'max',
  },
  {
    key: 'scheduler.lag_1m_seconds',
    group: 'Scheduler',
    label: 'Scheduler lag, last minute (worst start)',
    unit: 'seconds',
    threshold: 'scheduler_lag',
    fold: 'max',
    whyMissing: 'No periodic task started in this window.',
  },
  {
    key: 'scheduler.lag_10m_seconds',
    group: 'Scheduler',
    label: 'Scheduler lag, last 10 minutes (worst start)',
    unit: 'seconds',
    threshold: 'scheduler_lag',
    fold: 'max',
    whyMissing: 'No periodic task started in this window.',
  },
  {
    key: 'http.requests_1m',
    group: 'HTTP',
    label: 'Requests, last minute',
    unit: 'count',
    fold: 'avg',
  },
  {
    key: 'http.p50_ms_1m',
    group: 'HTTP',
    label: 'p50 latency, last minute',
    unit: 'ms',
    fold: 'avg',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'http.p95_ms_1m',
    group: 'HTTP',
    label: 'p95 latency, last minute',
    unit: 'ms',
    threshold: 'http_p95',
    fold: 'max',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'http.p99_ms_1m',
    group: 'HTTP',
    label: 'p99 latency, last minute',
    unit: 'ms',
    fold: 'max',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'http.error_percent_1m',
    group: 'HTTP',
    label: 'Error rate (5xx), last minute',
    unit: 'percent',
    threshold: 'http_errors',
    fold: 'avg',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'http.requests_1h',
    group: 'HTTP',
    label: 'Requests, last hour',
    unit: 'count',
    fold: 'avg',
  },
  {
    key: 'http.p50_ms_1h',
    group: 'HTTP',
    label: 'p50 latency, last hour',
    unit: 'ms',
    fold: 'avg',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'http.p95_ms_1h',
    group: 'HTTP',
    label: 'p95 latency, last hour',
    unit: 'ms',
    threshold: 'http_p95',
    fold: 'max',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'http.p99_ms_1h',
    group: 'HTTP',
    label: 'p99 latency, last hour',
    unit: 'ms',
    fold: 'max',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'http.error_percent_1h',
    group: 'HTTP',
    label: 'Error rate (5xx), last hour',
    unit: 'percent',
    threshold: 'http_errors',
    fold: 'avg',
    whyMissing: 'No requests in this window.',
  },
  {
    key: 'node.event_loop_p99_ms',
    group: 'Node',
    label: 'Event-loop delay p99 (since the previous sample)',
    unit: 'ms',
    threshold: 'event_loop',
    fold: 'max',
    whyMissing: FIRST_SAMPLE,
  },
  {
    key: 'node.rss_bytes',
    group: 'Node',
    label: 'Resident memory (RSS)',
    unit: 'bytes',
    fold: 'avg',
  },
  { key: 'node.heap_used_bytes', group: 'Node', label: 'Heap used', unit: 'bytes', fold: 'avg' },
  { key: 'node.heap_total_bytes', group: 'Node', label: 'Heap total', unit: 'bytes', fold: 'avg' },
  {
    key: 'host.cpu_percent',
    group: 'Host',
    label: 'CPU busy, all cores',
    unit: 'percent',
    threshold: 'cpu',
    fold: 'avg',
    whyMissing: FIRST_SAMPLE,
  },
  {
    key: 'host.memory_percent',
    group: 'Host',
    label: 'Memory in use',
    unit: 'percent',
    threshold: 'memory',
    fold: 'avg',
  },
  {
    key: 'host.disk_percent',
    group: 'Host',
    label: 'Disk of the data directory',
    unit: 'percent',
    threshold: 'disk',
    fold: 'avg',
    whyMissing:
      'The data directory could not be read here (on PostgreSQL: the server runs on another host, or this role may not read data_directory).',
  },
  {
    key: 'host.disk_used_bytes',
    group: 'Host',
    label: 'Disk used',
    unit: 'bytes',
    fold: 'avg',
    whyMissing: 'The data directory is not on this host or could not be read.',
  },
  {
    key: 'host.disk_size_bytes',
    group: 'Host',
    label: 'Disk size',
    unit: 'bytes',
    fold: 'last',
    whyMissing: 'The data directory is not on this host or could not be read.',
  },
  {
    key: 'redis.memory_percent',
    group: 'Redis',
    label: 'Memory of maxmemory',
    unit: 'percent',
    threshold: 'redis',
    fold: 'avg',
    whyMissing:
      'maxmemory is not set (Redis may use all of the host’s memory), or Redis did not answer within 2 s.',
  },
  {
    key: 'redis.used_memory_bytes',
    group: 'Redis',
    label: 'Memory used',
    unit: 'bytes',
    fold: 'avg',
    whyMissing: REDIS_MISSING,
  },
  {
    key: 'redis.maxmemory_bytes',
    group: 'Redis',
    label: 'maxmemory',
    unit: 'bytes',
    fold: 'last',
    whyMissing: 'Not set (no limit), or Redis did not answer within 2 s.',
  },
]

/** Threshold id → its definition. */
export const THRESHOLD_BY_ID: ReadonlyMap<string, ThresholdDef> = new Map(
  THRESHOLDS.map((t) => [t.id, t]),
)

/** Metric key → its definition. */
export const METRIC_BY_KEY: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((m) => [m.key, m]))

/** Threshold id → the pair in force; `overrides` replace the defaults they name. */
export type ThresholdSet = Record<string, Thresholds>

/** The defaults with `overrides` (the 'health_thresholds' setting) laid over them. */
export function effectiveThresholds(overrides: Partial<ThresholdSet> = {}): ThresholdSet {
  const set: ThresholdSet = {}
  for (const t of THRESHOLDS) set[t.id] = overrides[t.id] ?? t.defaults
  return set
}

/**
 * The state of `value` judged by `thresholds` in `direction` (see Thresholds for the bounds):
 * `unknown` for null, NaN or ±Infinity — a metric that could not be read is never "healthy".
 */
export function stateOf(
  direction: Direction,
  value: number | null | undefined,
  thresholds: Thresholds,
): HealthState {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'unknown'
  const past = (bound: number) => (direction === 'higher-is-worse' ? value > bound : value < bound)
  if (past(thresholds.critical)) return 'critical'
  if (past(thresholds.warning)) return 'warning'
  return 'healthy'
}

/**
 * A metric's state under `set`: `unknown` when unreadable, `healthy` for a metric without a
 * threshold (it only informs).
 */
export function metricState(
  metric: MetricDef,
  value: number | null | undefined,
  set: ThresholdSet,
): HealthState {
  if (!metric.threshold) return value === null || value === undefined ? 'unknown' : 'healthy'
  const def = THRESHOLD_BY_ID.get(metric.threshold)!
  return stateOf(def.direction, value, set[def.id] ?? def.defaults)
}
