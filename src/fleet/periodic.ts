import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import type { PeriodicTask } from '../jobs/scheduler.js'
import { PURGE_INTERVAL_MS, startPurgeRun } from './purge-run.js'

/**
 * The fleet's periodic work (issue 11): the nightly health check, nightly backups and the purge
 * of deleted tenants past their grace period. Each starts a job run; the runner does the work.
 */
export function fleetTasks(database: DatabaseHandle, config: Config): PeriodicTask[] {
  void database
  void config
  return [
    // health-check (H)
    // backups (B)
    // purge (D)
    {
      name: 'purge',
      intervalMs: PURGE_INTERVAL_MS,
      run: () => startPurgeRun(database.db, new Date()),
    },
  ]
}
