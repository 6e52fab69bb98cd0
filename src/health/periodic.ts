import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import type { PeriodicTask } from '../jobs/scheduler.js'

/** The health panel's periodic work (issue 10 item 3): sampling every 10 s, folding, pruning. */
export function healthTasks(_database: DatabaseHandle, _config: Config): PeriodicTask[] {
  return []
}
