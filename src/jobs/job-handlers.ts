import { healthCheckHandler } from '../fleet/health-check-job.js'
import { tenantMigrationHandler } from '../fleet/migration-job.js'
import { backupHandler } from '../fleet/backup-job.js'
import { purgeHandler } from '../fleet/purge.js'
import { tenantMoveHandler } from '../fleet/tenant-move-job.js'
import type { JobHandler } from './job-kinds.js'

/** Every job kind's handler, for the runner (src/jobs/runner.ts) and the CLIs. */
export function jobHandlers(): JobHandler[] {
  return [
    // health_check (H)
    healthCheckHandler,
    // tenant_migration (M)
    tenantMigrationHandler,
    // backup (B)
    backupHandler,
    // purge (D)
    purgeHandler,
    // tenant_move (issue 13 item 5)
    tenantMoveHandler,
  ]
}
