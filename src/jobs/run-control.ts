import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  cancelPendingItems,
  findJobRunForUpdate,
  requeueFailedItems,
  setJobRunStatus,
} from '../db/job-run-writes.js'
import { finishJobRunIfDone, progressOf, type JobProgress, type JobRun } from '../db/job-runs.js'
import type { Database } from '../db/schema.js'

// The verbs an operator uses on a run (issue 11 item 1): pause, resume, cancel, retry failed
// items. Each locks the run (claims wait on that lock), changes it compare-and-set on its status,
// and audits `job.<verb>` with the status and item counts before and after, in one transaction.
// The audit entry carries the run id as batch id, like the items' own entries.

export type RunControlResult = { ok: true; run: JobRun } | { ok: false; reason: string }

type Change = (
  trx: Transaction<Database>,
  run: JobRun,
  progress: JobProgress,
  now: Date,
) => Promise<JobRun | string>

const FINISHED = 'the run has already finished'

/** running → paused: no new claims; items in flight finish. */
export function pauseJobRun(db: Db, context: AuditContext, runId: string, now = new Date()) {
  return controlRun(db, context, runId, 'job.pause', now, async (trx, run) => {
    if (run.status === 'paused') return 'the run is already paused'
    if (run.status !== 'running') return FINISHED
    return (await setJobRunStatus(trx, run.id, 'running', 'paused', now)) ?? FINISHED
  })
}

/**
 * paused → running, or a run that failed (stopped after K failures) with pending items →
 * running. A run left with nothing to do ends at once.
 */
export function resumeJobRun(db: Db, context: AuditContext, runId: string, now = new Date()) {
  return controlRun(db, context, runId, 'job.resume', now, async (trx, run, progress) => {
    if (run.status === 'running') return 'the run is already running'
    if (run.status === 'failed' && progress.pending === 0)
      return 'the run has no pending items; retry its failed items instead'
    if (run.status !== 'paused' && run.status !== 'failed') return FINISHED
    const resumed = await setJobRunStatus(trx, run.id, run.status, 'running', now)
    if (!resumed) return FINISHED
    return (await finishJobRunIfDone(trx, run.id, now)) ?? resumed
  })
}

/** Pending items → canceled and the run canceled at once; items in flight finish and settle. */
export function cancelJobRun(db: Db, context: AuditContext, runId: string, now = new Date()) {
  return controlRun(db, context, runId, 'job.cancel', now, async (trx, run, progress) => {
    const open = run.status === 'running' || run.status === 'paused'
    if (!open && !(run.status === 'failed' && progress.pending > 0)) return FINISHED
    await cancelPendingItems(trx, run.id, now)
    const who = context.actor?.email ?? 'the scheduler'
    return (
      (await setJobRunStatus(trx, run.id, run.status, 'canceled', now, `canceled by ${who}`)) ??
      FINISHED
    )
  })
}

/**
 * Failed items → pending (attempts kept); the run runs again (a paused run stays paused until
 * resumed).
 */
export function retryFailedJobItems(
  db: Db,
  context: AuditContext,
  runId: string,
  now = new Date(),
) {
  return controlRun(db, context, runId, 'job.retry', now, async (trx, run, progress) => {
    if (run.status === 'canceled') return 'the run was canceled'
    if (progress.failed === 0) return 'the run has no failed items'
    await requeueFailedItems(trx, run.id)
    if (run.status === 'running' || run.status === 'paused') return run
    return (await setJobRunStatus(trx, run.id, run.status, 'running', now)) ?? FINISHED
  })
}

/** A refusal thrown inside the transaction, so whatever the change wrote before is rolled back. */
class Refusal extends Error {}

async function controlRun(
  db: Db,
  context: AuditContext,
  runId: string,
  action: string,
  now: Date,
  change: Change,
): Promise<RunControlResult> {
  try {
    const run = await db
      .transaction()
      .execute((trx) => changeAudited(trx, context, runId, action, now, change))
    return { ok: true, run }
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message }
    throw error
  }
}

async function changeAudited(
  trx: Transaction<Database>,
  context: AuditContext,
  runId: string,
  action: string,
  now: Date,
  change: Change,
): Promise<JobRun> {
  const run = await findJobRunForUpdate(trx, runId)
  if (!run) throw new Refusal('no such run')
  const before = await progressOf(trx, runId)
  const changed = await change(trx, run, before, now)
  if (typeof changed === 'string') throw new Refusal(changed)
  const after = await progressOf(trx, runId)
  await appendAuditEntry(
    trx,
    { ...context, batchId: run.id },
    {
      action,
      targetType: 'job_run',
      targetId: run.id,
      before: { status: run.status, ...before },
      after: { status: changed.status, ...after },
    },
    now,
  )
  return changed
}
