import type { Db } from './database.js'
import { toJobRun, type JobRun } from './job-runs.js'
import type { JobRunStatus } from './schema.js'

// The run's own state changes (issue 11 item 1: pause, resume, cancel, retry failed items, and
// the deletion of old finished runs). The verbs that audit them live in src/jobs/run-control.ts.

/** The run locked FOR UPDATE (claims and the verbs wait on it), or undefined. */
export async function findJobRunForUpdate(db: Db, id: string): Promise<JobRun | undefined> {
  const row = await db
    .selectFrom('job_runs')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  return row && toJobRun(row)
}

/**
 * Moves a run to `status`, compare-and-set on the status it had (`from`). A finished status
 * (completed, failed, canceled) sets finished_at; running and paused clear it and stop_reason.
 * @returns the run after the change, or undefined when its status was no longer `from`
 */
export async function setJobRunStatus(
  db: Db,
  id: string,
  from: JobRunStatus,
  to: JobRunStatus,
  now: Date,
  stopReason: string | null = null,
): Promise<JobRun | undefined> {
  const open = to === 'running' || to === 'paused'
  const row = await db
    .updateTable('job_runs')
    .set({ status: to, updated_at: now, finished_at: open ? null : now, stop_reason: stopReason })
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst()
  return row && toJobRun(row)
}

/** Pending items of a run become `canceled`; items in flight finish on their own. @returns how many */
export async function cancelPendingItems(db: Db, runId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('job_items')
    .set({ status: 'canceled', finished_at: now })
    .where('run_id', '=', runId)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Failed items of a run become `pending` again, attempts kept (the next claim counts on from
 * them); their error is cleared. @returns how many
 */
export async function requeueFailedItems(db: Db, runId: string): Promise<number> {
  const result = await db
    .updateTable('job_items')
    .set({ status: 'pending', error: null, finished_at: null, lease_owner: null })
    .where('run_id', '=', runId)
    .where('status', '=', 'failed')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Deletes runs that finished before `before` (completed, failed or canceled), their items with
 * them (ON DELETE CASCADE). Housekeeping keeps 90 days (src/jobs/housekeeping.ts).
 * @returns how many runs were deleted
 */
export async function deleteFinishedJobRuns(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('job_runs')
    .where('status', 'in', ['completed', 'failed', 'canceled'])
    .where('finished_at', '<', before)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
