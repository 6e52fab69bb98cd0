import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { insertJobRun, type JobRun, type NewJobRun } from '../db/job-runs.js'
import type { JobKind } from './job-kinds.js'

export type JobRunSpec = Omit<NewJobRun, 'id' | 'kind' | 'createdBy'> & { kind: JobKind }

/**
 * Starts a job run: the run in `running`, one pending item per target, and a `job.start` audit
 * entry (kind, label, params, item count, concurrency) in one transaction. The runner of any
 * instance picks the items up from there (src/jobs/runner.ts). The actor of `context` is the
 * run's creator; a run the scheduler starts has none.
 * @returns the run as started
 */
export async function startJobRun(
  db: Db,
  context: AuditContext,
  spec: JobRunSpec,
  now: Date = new Date(),
): Promise<JobRun> {
  return db.transaction().execute(async (trx) => {
    const run = await insertJobRun(
      trx,
      { ...spec, id: crypto.randomUUID(), createdBy: context.actor ?? null },
      now,
    )
    await appendAuditEntry(
      trx,
      { ...context, batchId: run.id },
      {
        action: 'job.start',
        targetType: 'job_run',
        targetId: run.id,
        after: {
          kind: run.kind,
          label: run.label,
          params: run.params,
          items: run.total,
          concurrency: run.concurrency,
          stopAfterFailures: run.stopAfterFailures,
        },
      },
      now,
    )
    return run
  })
}
