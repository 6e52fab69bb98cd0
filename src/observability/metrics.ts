import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { DatabaseHandle } from '../db/database.js'
import { readFleetGauges, type FleetGauges } from '../db/fleet-gauges.js'
import type { TenantStatus } from '../db/schema.js'

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
 * When that statement fails, `fleetdeck_metrics_database_up` reads 0 and the fleet gauges have
 * no samples, so the pool and process metrics still arrive when the database is the problem.
 * @param now the clock for "active" impersonations, in milliseconds since the epoch
 */
export function createAppMetrics(database: DatabaseHandle, now: () => number): AppMetrics {
  const registry = new Registry()
  const registers = [registry]
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its response, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers,
  })

  const pool = (
    name: string,
    help: string,
    read: (s: ReturnType<typeof database.poolStats>) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(database.poolStats()))
      },
    })
  pool(
    'fleetdeck_db_pool_max',
    'Connections the app pool may open (1 on the embedded database).',
    (s) => s.max,
  )
  pool(
    'fleetdeck_db_pool_in_use',
    'App pool connections running a query or transaction.',
    (s) => s.total - s.idle,
  )
  pool('fleetdeck_db_pool_idle', 'Open app pool connections waiting for work.', (s) => s.idle)
  pool(
    'fleetdeck_db_pool_waiting',
    'Queries queued for a free app pool connection.',
    (s) => s.waiting,
  )

  // Every fleet gauge's collect() awaits the same statement: prom-client collects them together.
  let pending: Promise<FleetGauges | undefined> | undefined
  const fleet = () =>
    (pending ??= readFleetGauges(database.db, new Date(now()))
      .catch(() => undefined)
      .finally(() => (pending = undefined)))

  new Gauge({
    name: 'fleetdeck_metrics_database_up',
    help: '1 when this scrape could read the fleet gauges from the database, 0 when not.',
    registers,
    async collect() {
      this.set((await fleet()) ? 1 : 0)
    },
  })
  const fleetGauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (g: Gauge<L>, f: FleetGauges) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const f = await fleet()
        this.reset()
        if (f) fill(this, f)
      },
    })
  fleetGauge('fleetdeck_tenants', 'Tenants by status.', ['status'], (g, f) => {
    for (const status of TENANT_STATUSES) g.set({ status }, f.tenantsByStatus[status] ?? 0)
  })
  fleetGauge('fleetdeck_users', 'Tenant users, all statuses.', [], (g, f) => {
    g.set(Object.values(f.usersByStatus).reduce((a, b) => a + b, 0))
  })
  fleetGauge('fleetdeck_users_by_status', 'Tenant users by status.', ['status'], (g, f) => {
    for (const status of USER_STATUSES) g.set({ status }, f.usersByStatus[status] ?? 0)
  })
  fleetGauge(
    'fleetdeck_impersonations_active',
    'Impersonations neither ended nor expired.',
    [],
    (g, f) => g.set(f.activeImpersonations),
  )
  fleetGauge(
    'fleetdeck_bulk_batches_running',
    'Bulk batches applying or rolling back.',
    [],
    (g, f) => g.set(f.runningBulkBatches),
  )
  fleetGauge(
    'fleetdeck_scheduler_lag_seconds',
    "Per periodic task, its latest run's actual start minus its planned start.",
    ['task'],
    (g, f) => {
      for (const [task, lag] of Object.entries(f.schedulerLagSeconds)) g.set({ task }, lag)
    },
  )

  return {
    httpDuration,
    contentType: registry.contentType,
    async scrape() {
      const [node, app] = await Promise.all([defaultMetrics().metrics(), registry.metrics()])
      return node + app
    },
  }
}
