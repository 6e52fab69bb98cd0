import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import type { PeriodicTask } from '../jobs/scheduler.js'
import { startScheduledRun } from '../jobs/start-run.js'
import { healthCheckRunSpec } from './health-check-job.js'
import { backupTask } from './backup-job.js'
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
    {
      name: 'fleet-health-check',
      intervalMs: 24 * 60 * 60 * 1000,
      run: () => startScheduledRun(database.db, healthCheckRunSpec()),
    },
    // backups (B)
    backupTask(database),
    // purge (D)
    {
      name: 'purge',
      intervalMs: PURGE_INTERVAL_MS,
      run: () => startPurgeRun(database.db, new Date()),
    },
  ]
}
