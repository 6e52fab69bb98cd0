import { sql, type Selectable } from 'kysely'
import type { Db } from './database.js'
import type { JobItemStatus, JobItemsTable, JobRunStatus, JobRunsTable } from './schema.js'

// Job runs and their items (DESIGN.md §8, issue 11): the rows the runner claims, leases and
// settles. The runner's claims and the run's verbs (pause, resume, cancel, retry) live in
// src/jobs/; the SQL they use lives here.

export type JobRun = {
  id: string
  kind: string
  label: string
  params: Record<string, unknown>
  status: JobRunStatus
  concurrency: number
  stopAfterFailures: number | null
  total: number
  createdBy: string | null
  createdByEmail: string | null
  createdAt: Date
  updatedAt: Date
  finishedAt: Date | null
  stopReason: string | null
}

export type JobItem = {
  runId: string
  seq: number
  tenantId: string | null
  target: string
  status: JobItemStatus
  attempts: number
  leaseOwner: string | null
  leaseExpiresAt: Date | null
  startedAt: Date | null
  finishedAt: Date | null
  error: string | null
  result: Record<string, unknown> | null
}

export function toJobRun(row: Selectable<JobRunsTable>): JobRun {
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    params: (row.params ?? {}) as Record<string, unknown>,
    status: row.status,
    concurrency: row.concurrency,
    stopAfterFailures: row.stop_after_failures,
    total: row.total,
    createdBy: row.created_by,
    createdByEmail: row.created_by_email,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    stopReason: row.stop_reason,
  }
}

export function toJobItem(row: Selectable<JobItemsTable>): JobItem {
  return {
    runId: row.run_id,
    seq: row.seq,
    tenantId: row.tenant_id,
    target: row.target,
    status: row.status,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    result: (row.result ?? null) as Record<string, unknown> | null,
  }
}

export type NewJobRun = {
  id: string
  kind: string
  label: string
  params: Record<string, unknown>
  concurrency: number
  stopAfterFailures: number | null
  createdBy: { id: string; email: string } | null
  /** In claiming order; `target` names what each works on (slug, schema or `fleet`). */
  items: readonly { tenantId: string | null; target: string }[]
}

/**
 * Inserts a run in `running` and its items in `pending` (seq from 1, in the given order), in
 * 1,000-row statements. Run it in the transaction that audits the start.
 * @returns the run as inserted
 */
export async function insertJobRun(db: Db, run: NewJobRun, now: Date): Promise<JobRun> {
  const row = await db
    .insertInto('job_runs')
    .values({
      id: run.id,
      kind: run.kind,
      label: run.label,
      params: JSON.stringify(run.params),
      status: 'running',
      concurrency: run.concurrency,
      stop_after_failures: run.stopAfterFailures,
      total: run.items.length,
      created_by: run.createdBy?.id ?? null,
      created_by_email: run.createdBy?.email ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  for (let i = 0; i < run.items.length; i += 1000) {
    await db
      .insertInto('job_items')
      .values(
        run.items.slice(i, i + 1000).map((item, j) => ({
          run_id: run.id,
          seq: i + j + 1,
          tenant_id: item.tenantId,
          target: item.target,
        })),
      )
      .execute()
  }
  return toJobRun(row)
}

/** One run, or undefined when the id is unknown. */
export async function findJobRun(db: Db, id: string): Promise<JobRun | undefined> {
  const row = await db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toJobRun(row)
}

/** A run's items by status (total = all of them). */
export type JobProgress = {
  total: number
  pending: number
  running: number
  done: number
  failed: number
  skipped: number
  canceled: number
}

/** Counts of a run's items by status, in one statement (zeros for an unknown run). */
export async function progressOf(db: Db, runId: string): Promise<JobProgress> {
  const row = await db
    .selectFrom('job_items')
    .select((eb) => {
      const count = (status: JobItemStatus) =>
        eb.fn.countAll<number>().filterWhere('status', '=', status)
      return [
        eb.fn.countAll<number>().as('total'),
        count('pending').as('pending'),
        count('running').as('running'),
        count('done').as('done'),
        count('failed').as('failed'),
        count('skipped').as('skipped'),
        count('canceled').as('canceled'),
      ]
    })
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow()
  return {
    total: Number(row.total),
    pending: Number(row.pending),
    running: Number(row.running),
    done: Number(row.done),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
    canceled: Number(row.canceled),
  }
}

/**
 * Ends a `running` run none of whose items is pending or running: `completed`, or `failed` with
 * stop_reason "N of M items failed" when any failed. One statement, so after the last settles
 * commit, the check of whichever worker runs last sees them all.
 * @returns the run as ended, or undefined when it was not running or has open items
 */
export async function finishJobRunIfDone(
  db: Db,
  runId: string,
  now: Date,
): Promise<JobRun | undefined> {
  const result = await sql<Selectable<JobRunsTable>>`
    update job_runs r set
      status = case when f.failed > 0 then 'failed' else 'completed' end,
      stop_reason = case when f.failed > 0
        then f.failed || ' of ' || r.total || ' items failed' else null end,
      finished_at = ${now}, updated_at = ${now}
    from (select count(*) as failed from job_items
          where run_id = ${runId} and status = 'failed') f
    where r.id = ${runId} and r.status = 'running'
      and not exists (select 1 from job_items
        where run_id = ${runId} and status in ('pending', 'running'))
    returning r.*`.execute(db)
  const row = result.rows[0]
  return row && toJobRun(row)
}

/**
 * Stops a `running` run whose failed items reached its stop_after_failures (K): status `failed`,
 * stop_reason "stopped after K failures"; its pending items stay pending, so resume continues
 * them (issue 11 item 4: configurable stop after K failures).
 * @returns the run as stopped, or undefined when it goes on
 */
export async function stopJobRunAfterFailures(
  db: Db,
  runId: string,
  now: Date,
): Promise<JobRun | undefined> {
  const result = await sql<Selectable<JobRunsTable>>`
    update job_runs r set status = 'failed',
      stop_reason = 'stopped after ' || r.stop_after_failures
        || case when r.stop_after_failures = 1 then ' failure' else ' failures' end,
      finished_at = ${now}, updated_at = ${now}
    where r.id = ${runId} and r.status = 'running' and r.stop_after_failures is not null
      and r.stop_after_failures <= (select count(*) from job_items
        where run_id = ${runId} and status = 'failed')
    returning r.*`.execute(db)
  const row = result.rows[0]
  return row && toJobRun(row)
}
