import { purgeHandler } from '../fleet/purge.js'
import type { JobHandler } from './job-kinds.js'

/** Every job kind's handler, for the runner (src/jobs/runner.ts) and the CLIs. */
export function jobHandlers(): JobHandler[] {
  return [
    // health_check (H)
    // tenant_migration (M)
    // backup (B)
    // purge (D)
    purgeHandler,
  ]
}
