import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import type { PeriodicTask } from '../jobs/scheduler.js'
import { KPI_SNAPSHOT_INTERVAL_MS, takeKpiSnapshot } from './snapshot.js'

/**
 * The dashboard's periodic work (issue 10 item 2): today's KPI snapshot every 15 minutes (the
 * first when the server starts), read from `public` tables only, so on the pooled handle.
 */
export function dashboardTasks(database: DatabaseHandle, _config: Config): PeriodicTask[] {
  return [
    {
      name: 'kpi-snapshot',
      intervalMs: KPI_SNAPSHOT_INTERVAL_MS,
      run: () => takeKpiSnapshot(database.db),
    },
  ]
}
