import { sql } from 'kysely'
import type { Db } from './database.js'
import {
  finishJobRunIfDone,
  stopJobRunAfterFailures,
  toJobItem,
  toJobRun,
  type JobItem,
  type JobRun,
} from './job-runs.js'

// Claims, leases and settles of job items (DESIGN.md §8, issue 11 item 1): the statements the
// runner (src/jobs/runner.ts) uses. Every write after the claim is a compare-and-set on the
// item's lease, so a worker whose lease lapsed and was claimed again cannot overwrite the work
// of the worker that holds it now.

/**
 * Claims of one item at most (review finding 4 of issue 11): an item whose lease lapsed this many
 * times — the process running it ended each time, e.g. its handler crashed the process — is not
 * claimed again but settled `failed`, so it cannot take down every instance in turn.
 */
export const MAX_ITEM_ATTEMPTS = 5

/** One claimed item and the run it belongs to, as they were when claimed. */
export type ClaimedItem = { run: JobRun; item: JobItem }

/** Who holds an item: the lease's owner and the attempt it was claimed for. */
export type ItemLease = { runId: string; seq: number; leaseOwner: string; attempts: number }

export type ClaimRequest = {
  /** The claiming worker; stored as lease_owner. */
  workerId: string
  /** Items to claim at most, across runs. */
  limit: number
  leaseSeconds: number
  now: Date
  /** Only this run's items (drainJobRun); otherwise every running run, oldest first. */
  runId?: string
}

/**
 * Claims up to `limit` items in one short transaction. The `running` runs are locked FOR UPDATE
 * (oldest first), which serialises claims per run across instances, so a run's `concurrency`
 * holds: its free slots are its concurrency minus its items `running` under a live lease. Of each
 * run, items `running` under a lapsed lease, then `pending` ones, are taken in `seq` order, FOR
 * UPDATE SKIP LOCKED, and become `running` under this worker's lease (now + leaseSeconds),
 * attempts + 1. A lapsed item that reached MAX_ITEM_ATTEMPTS is settled `failed` instead ("abandoned
 * after N attempts …"), and counts toward the run's stop-after-K and its end. The claim commits without waiting for the WAL flush (synchronous_commit off).
 * @returns the claimed items, in claiming order (none when nothing is claimable)
 */
export async function claimJobItems(db: Db, request: ClaimRequest): Promise<ClaimedItem[]> {
  if (request.limit < 1) return []
  return db.transaction().execute(async (trx) => {
    // A claim lost in a server crash only leaves its items pending: no need to wait for the
    // WAL flush (one fsync per claim was most of a claim's time).
    await sql`set local synchronous_commit = off`.execute(trx)
    let runsQuery = trx.selectFrom('job_runs').selectAll().where('status', '=', 'running')
    if (request.runId) runsQuery = runsQuery.where('id', '=', request.runId)
    const runs = await runsQuery.orderBy('created_at').orderBy('id').forUpdate().execute()
    const claimed: ClaimedItem[] = []
    for (const row of runs) {
      const budget = request.limit - claimed.length
      if (budget < 1) break
      const run = toJobRun(row)
      const items = await claimItemsOfRun(trx, run, budget, request)
      for (const item of items) claimed.push({ run, item })
    }
    return claimed
  })
}

async function claimItemsOfRun(
  trx: Db,
  run: JobRun,
  budget: number,
  request: ClaimRequest,
): Promise<JobItem[]> {
  const { now } = request
  if ((await abandonItems(trx, run.id, now)) > 0) {
    if (await stopJobRunAfterFailures(trx, run.id, now)) return []
    if (await finishJobRunIfDone(trx, run.id, now)) return []
  }
  const held = await trx
    .selectFrom('job_items')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('lease_expires_at', '>', now).as('live'),
      eb.fn.countAll<number>().filterWhere('lease_expires_at', '<=', now).as('lapsed'),
    ])
    .where('run_id', '=', run.id)
    .where('status', '=', 'running')
    .executeTakeFirstOrThrow()
  const slots = Math.min(budget, run.concurrency - Number(held.live))
  if (slots < 1) return []
  // Lapsed leases first (their items were claimed before any pending one), then pending items:
  // index ranges of (run_id, status, seq), never a sort of the run's thousands of items.
  const lapsed =
    Number(held.lapsed) > 0 ? await takeItems(trx, run.id, 'running', slots, request) : []
  const pending = await takeItems(trx, run.id, 'pending', slots - lapsed.length, request)
  return [...lapsed, ...pending]
}

/** Settles `failed` the items of the run whose lease lapsed after MAX_ITEM_ATTEMPTS claims. */
async function abandonItems(trx: Db, runId: string, now: Date): Promise<number> {
  const result = await sql`
    update job_items set status = 'failed', finished_at = ${now}, lease_expires_at = null,
      error = 'abandoned after ' || attempts || ' attempts (the process running it ended each time)'
    where run_id = ${runId} and status = 'running' and lease_expires_at <= ${now}
      and attempts >= ${MAX_ITEM_ATTEMPTS}`.execute(trx)
  return Number(result.numAffectedRows ?? 0)
}

async function takeItems(
  trx: Db,
  runId: string,
  from: 'pending' | 'running',
  limit: number,
  request: ClaimRequest,
): Promise<JobItem[]> {
  if (limit < 1) return []
  const { now } = request
  const expires = new Date(now.getTime() + request.leaseSeconds * 1000)
  const lapsed = from === 'running' ? sql`and lease_expires_at <= ${now}` : sql``
  // A MATERIALIZED CTE picks the rows once. As `seq in (subquery … limit n)` the planner may
  // evaluate the subquery again (a semi-join rescanned per outer row), and with SKIP LOCKED each
  // evaluation skips the rows the last one locked: at 2,000 items a concurrency-1 run had 666
  // claimed at once.
  const rows = await sql<Parameters<typeof toJobItem>[0]>`
    with picked as materialized (
      select seq from job_items
      where run_id = ${runId} and status = ${from} ${lapsed}
      order by seq limit ${limit}
      for update skip locked)
    update job_items set status = 'running', lease_owner = ${request.workerId},
      lease_expires_at = ${expires}, attempts = attempts + 1, started_at = ${now},
      finished_at = null, error = null
    from picked
    where job_items.run_id = ${runId} and job_items.seq = picked.seq
    returning job_items.*`.execute(trx)
  return rows.rows.map(toJobItem).sort((a, b) => a.seq - b.seq)
}

/**
 * Extends a held lease to now + leaseSeconds.
 * @returns false when the lease is no longer this worker's (it lapsed and was claimed again, or
 *   the item was settled or canceled)
 */
export async function renewJobItemLease(
  db: Db,
  lease: ItemLease,
  leaseSeconds: number,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('job_items')
    .set({ lease_expires_at: new Date(now.getTime() + leaseSeconds * 1000) })
    .where('run_id', '=', lease.runId)
    .where('seq', '=', lease.seq)
    .where('lease_owner', '=', lease.leaseOwner)
    .where('attempts', '=', lease.attempts)
    .where('status', '=', 'running')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** How an item ended: `error` is a message for the operator (never a stack). */
export type ItemSettlement =
  | { status: 'done'; result: Record<string, unknown> | null }
  | { status: 'skipped'; result: Record<string, unknown> | null }
  | { status: 'failed'; error: string }

/**
 * Records an item's end, compare-and-set on (run_id, seq, lease_owner, attempts) and status
 * `running`: the late settle of a worker whose lease was taken over is refused.
 * @returns false when refused
 */
export async function settleJobItem(
  db: Db,
  lease: ItemLease,
  settlement: ItemSettlement,
  now: Date,
): Promise<boolean> {
  const failed = settlement.status === 'failed'
  const result = await db
    .updateTable('job_items')
    .set({
      status: settlement.status,
      finished_at: now,
      lease_expires_at: null,
      error: failed ? settlement.error : null,
      result: failed || !settlement.result ? sql<string>`null` : JSON.stringify(settlement.result),
    })
    .where('run_id', '=', lease.runId)
    .where('seq', '=', lease.seq)
    .where('lease_owner', '=', lease.leaseOwner)
    .where('attempts', '=', lease.attempts)
    .where('status', '=', 'running')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Lapses every live lease at once. Only for the embedded database at start: one process owns its
 * data directory (src/db/data-dir-lock.ts), so any item still `running` was held by a process that
 * has ended, and its run continues now rather than after JOB_LEASE_SECONDS. Never on PostgreSQL,
 * where another instance may hold those leases.
 * @returns how many leases were lapsed
 */
export async function lapseLeasesOfEndedProcess(db: Db, now: Date): Promise<number> {
  const result = await db
    .updateTable('job_items')
    .set({ lease_expires_at: now })
    .where('status', '=', 'running')
    .where('lease_expires_at', '>', now)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
