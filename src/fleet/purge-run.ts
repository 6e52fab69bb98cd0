import type { Db } from '../db/database.js'
import type { JobRun } from '../db/job-runs.js'
import { listTenantsDueForPurge } from '../db/tenant-deletion.js'
import { startScheduledRun } from '../jobs/start-run.js'

/** How often the scheduler looks for tenants due for purge (issue 11 item 6: hourly). */
export const PURGE_INTERVAL_MS = 3_600_000

/**
 * Starts a purge run (no actor: the system) with one item per deleted tenant due for purge
 * (purge_after <= now, not protected), unless none is due or a purge run is still running or
 * paused (startScheduledRun; the next hour picks up what that one left).
 * @returns the run started, or undefined when nothing was started
 */
export async function startPurgeRun(db: Db, now: Date): Promise<JobRun | undefined> {
  const due = await listTenantsDueForPurge(db, now)
  if (due.length === 0) return undefined
  const plural = due.length === 1 ? '' : 's'
  return startScheduledRun(
    db,
    {
      kind: 'purge',
      label: `Purge of ${due.length} deleted tenant${plural} past their grace period`,
      params: { tenants: due.length },
      concurrency: 1,
      stopAfterFailures: null,
      items: due.map((t) => ({ tenantId: t.id, target: t.slug })),
    },
    now,
  )
}
