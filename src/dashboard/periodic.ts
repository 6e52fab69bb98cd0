import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import type { PeriodicTask } from '../jobs/scheduler.js'

/** The dashboard's periodic work (issue 10 item 2): the daily KPI snapshots. */
export function dashboardTasks(_database: DatabaseHandle, _config: Config): PeriodicTask[] {
  return []
}
