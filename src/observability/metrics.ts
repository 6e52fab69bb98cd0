import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { DatabaseHandle, PoolStats } from '../db/database.js'
import { readFleetGauges, type FleetGauges } from '../db/fleet-gauges.js'
import type { TenantStatus } from '../db/schema.js'
import { ALL_JOB_KINDS } from '../jobs/job-kinds.js'
import { serializeError, type Logger } from './logger.js'

// What /metrics exposes (issue 10 item 4), in Prometheus' text format. Two registries: Node's
// default metrics belong to the process (one set, however many apps a test process builds), the
// request histogram and the fleet gauges to one app and its database. Names follow Prometheus'
// naming guide (prometheus.io/docs/practices/naming): base units (seconds), a `fleetdeck_`
// prefix for our own, `_total` only on counters.

const TENANT_STATUSES: readonly TenantStatus[] = [
  'provisioning',
  'active',
  'suspended',
  'failed',
  'deleted',
]
const USER_STATUSES = ['invited', 'active', 'disabled'] as const

/**
 * Upper bounds in seconds: prom-client's defaults with 2.5 ms and 25 ms … 250 ms split finer,
 * where console pages actually fall, and 30 s for exports.
 */
export const HTTP_DURATION_BUCKETS = [
  0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]

let processRegistry: Registry | undefined

/** Node's default metrics (process_*, nodejs_*), registered once per process. */
function defaultMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

export type AppMetrics = {
  /** http_request_duration_seconds{route,method,status}: observe seconds, route = the pattern. */
  httpDuration: Histogram<'route' | 'method' | 'status'>
  /** The Content-Type of `scrape()`'s text (Prometheus text format 0.0.4). */
  contentType: string
  /** Reads the gauges (one database statement) and renders every metric as exposition text. */
  scrape(): Promise<string>
}

/**
 * The metrics of one app over `database`: the request histogram, the pool gauges (read from the
 * pool's counters), and the fleet gauges (one statement per scrape, src/db/fleet-gauges.ts).
 * When that statement fails, `fleetdeck_metrics_database_up` reads 0, the fleet gauges have no
 * samples and `log` gets a warning, so the pool and process metrics still arrive when the
 * database is the problem.
 * @param now the clock for "active" impersonations, in milliseconds since the epoch
 */
export function createAppMetrics(
  database: DatabaseHandle,
  now: () => number,
  log?: Logger,
): AppMetrics {
  const registry = new Registry()
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its response, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  })
  registerPoolGauges(registry, database)
  registerFleetGauges(registry, async () => {
    try {
      return await readFleetGauges(database.db, new Date(now()))
    } catch (error) {
      log?.warn({ err: serializeError(error) }, 'metrics: the fleet gauges could not be read')
      return undefined
    }
  })
  return {
    httpDuration,
    contentType: registry.contentType,
    async scrape() {
      const [node, app] = await Promise.all([defaultMetrics().metrics(), registry.metrics()])
      return node + app
    },
  }
}

/** In use / idle / waiting / max of the app pool, read from its counters at each scrape. */
function registerPoolGauges(registry: Registry, database: DatabaseHandle): void {
  const pool = (name: string, help: string, read: (s: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(database.poolStats()))
      },
    })
  pool('fleetdeck_db_pool_max', 'Connections the app pool may open (1 embedded).', (s) => s.max)
  pool('fleetdeck_db_pool_in_use', 'Pool connections running a query.', (s) => s.total - s.idle)
  pool('fleetdeck_db_pool_idle', 'Open pool connections waiting for work.', (s) => s.idle)
  pool('fleetdeck_db_pool_waiting', 'Queries queued for a pool connection.', (s) => s.waiting)
}

/**
 * The fleet's gauges; `read` runs once per scrape however many gauges ask (prom-client collects
 * them together) and gives undefined when the database could not be read.
 */
function registerFleetGauges(
  registry: Registry,
  read: () => Promise<FleetGauges | undefined>,
): void {
  let pending: Promise<FleetGauges | undefined> | undefined
  const fleet = () => (pending ??= read().finally(() => (pending = undefined)))
  new Gauge({
    name: 'fleetdeck_metrics_database_up',
    help: '1 when this scrape could read the fleet gauges from the database, 0 when not.',
    registers: [registry],
    async collect() {
      this.set((await fleet()) ? 1 : 0)
    },
  })
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: Gauge<L>, f: FleetGauges) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const f = await fleet()
        this.reset()
        if (f) fill(this, f)
      },
    })
  gauge('fleetdeck_tenants', 'Tenants by status.', ['status'], (g, f) => {
    for (const status of TENANT_STATUSES) g.set({ status }, f.tenantsByStatus[status] ?? 0)
  })
  gauge('fleetdeck_users', 'Tenant users, all statuses.', [], (g, f) => {
    g.set(Object.values(f.usersByStatus).reduce((a, b) => a + b, 0))
  })
  gauge('fleetdeck_users_by_status', 'Tenant users by status.', ['status'], (g, f) => {
    for (const status of USER_STATUSES) g.set({ status }, f.usersByStatus[status] ?? 0)
  })
  gauge(
    'fleetdeck_impersonations_active',
    'Impersonations neither ended nor expired.',
    [],
    (g, f) => g.set(f.activeImpersonations),
  )
  gauge('fleetdeck_bulk_batches_running', 'Bulk batches applying or rolling back.', [], (g, f) =>
    g.set(f.runningBulkBatches),
  )
  gauge('fleetdeck_job_items_pending', 'Job items pending, by job kind.', ['kind'], (g, f) => {
    for (const kind of new Set([...ALL_JOB_KINDS, ...Object.keys(f.pendingJobItemsByKind)]))
      g.set({ kind }, f.pendingJobItemsByKind[kind] ?? 0)
  })
  gauge(
    'fleetdeck_scheduler_lag_seconds',
    "Per periodic task, its latest run's actual start minus its planned start.",
    ['task'],
    (g, f) => {
      for (const [task, lag] of Object.entries(f.schedulerLagSeconds)) g.set({ task }, lag)
    },
  )
}
