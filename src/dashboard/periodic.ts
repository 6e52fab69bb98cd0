import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import type { PeriodicTask } from '../jobs/scheduler.js'
import {
  KPI_SNAPSHOT_INTERVAL_MS,
  KPI_TENANT_SNAPSHOT_INTERVAL_MS,
  takeFleetSnapshot,
  takeTenantSnapshot,
} from './snapshot.js'

/**
 * The dashboard's periodic work (issue 10 item 2): today's fleet KPI row every 15 minutes and
 * every tenant's row every hour (the first of each when the server starts). Both count across
 * the whole `users` and `memberships` tables, so each runs on a connection of its own
 * (`withDedicatedConnection`, as storage-snapshots does), never holding one of the pool's
 * request connections for its duration; on PGlite that is the one shared connection.
 */
export function dashboardTasks(database: DatabaseHandle, _config: Config): PeriodicTask[] {
  return [
    {
      name: 'kpi-snapshot',
      intervalMs: KPI_SNAPSHOT_INTERVAL_MS,
      run: () => database.withDedicatedConnection((db) => takeFleetSnapshot(db)),
    },
    {
      name: 'kpi-tenant-snapshot',
      intervalMs: KPI_TENANT_SNAPSHOT_INTERVAL_MS,
      run: () => database.withDedicatedConnection((db) => takeTenantSnapshot(db)),
    },
  ]
}
