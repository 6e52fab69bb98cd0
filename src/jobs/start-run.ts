import { sql, type Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
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
  return db.transaction().execute((trx) => insertAuditedRun(trx, context, spec, now))
}

/**
 * The scheduler's start of a periodic run (nightly health check, backups, purge): startJobRun
 * with no actor, unless a run of the same kind is still `running` or `paused` — then nothing, so
 * a slow night does not pile runs on runs. The check and the insert hold a transaction-level
 * advisory lock on the kind, so two starts of one kind cannot both pass it.
 * @returns the run as started, or undefined when one of its kind is still open
 */
export async function startScheduledRun(
  db: Db,
  spec: JobRunSpec,
  now: Date = new Date(),
): Promise<JobRun | undefined> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`fleetdeck:job-start:${spec.kind}`}))`.execute(
      trx,
    )
    const open = await trx
      .selectFrom('job_runs')
      .select('id')
      .where('kind', '=', spec.kind)
      .where('status', 'in', ['running', 'paused'])
      .executeTakeFirst()
    if (open) return undefined
    return insertAuditedRun(trx, { actor: null }, spec, now)
  })
}

async function insertAuditedRun(
  trx: Transaction<Database>,
  context: AuditContext,
  spec: JobRunSpec,
  now: Date,
): Promise<JobRun> {
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
}
