import { sql, type Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { insertJobRun, toJobRun, type JobRun, type NewJobRun } from '../db/job-runs.js'
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
 * Starts a run of a kind that runs one at a time (health check, fleet backup, fleet migration,
 * purge; review finding 3 of issue 11): under a transaction-level advisory lock on the kind, it
 * looks for a run of that kind still `running` or `paused`; when there is one it returns that
 * run and starts nothing, otherwise it starts `spec` as startJobRun does (actor from `context`,
 * `job.start` audited). Two clicks, or two instances, cannot both pass the check.
 * @returns `{ started: true, run }` for the new run, `{ started: false, run }` for the open one
 */
export async function startExclusiveRun(
  db: Db,
  context: AuditContext,
  spec: JobRunSpec,
  now: Date = new Date(),
): Promise<{ started: boolean; run: JobRun }> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`fleetdeck:job-start:${spec.kind}`}))`.execute(
      trx,
    )
    const open = await trx
      .selectFrom('job_runs')
      .selectAll()
      .where('kind', '=', spec.kind)
      .where('status', 'in', ['running', 'paused'])
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (open) return { started: false, run: toJobRun(open) }
    return { started: true, run: await insertAuditedRun(trx, context, spec, now) }
  })
}

/**
 * The scheduler's start of a periodic run (nightly health check, backups, purge):
 * startExclusiveRun with no actor, so a slow night does not pile runs on runs.
 * @returns the run as started, or undefined when one of its kind is still open
 */
export async function startScheduledRun(
  db: Db,
  spec: JobRunSpec,
  now: Date = new Date(),
): Promise<JobRun | undefined> {
  const { started, run } = await startExclusiveRun(db, { actor: null }, spec, now)
  return started ? run : undefined
}

/**
 * The run, its items and its `job.start` entry, in the caller's transaction: for verbs that
 * audit their own entry beside it (a tenant move's `tenant.move.start`).
 */
export async function insertAuditedRun(
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
