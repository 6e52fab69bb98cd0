import { sql } from 'kysely'
import type { Db } from './database.js'
import type { SchedulerRunOutcome } from './schema.js'

// The scheduler's record (DESIGN.md §8): one row per periodic task and planned slot, with the
// planned and the actual start, the outcome and the instance that ran it.

export type SchedulerRun = {
  id: number
  task: string
  plannedAt: Date
  startedAt: Date
  finishedAt: Date | null
  outcome: SchedulerRunOutcome
  error: string | null
  /** `host:pid` of the process that ran it. */
  instance: string
}

/** First key of the scheduler's advisory locks; the second is hashtext(task name). */
const SCHEDULER_LOCK_CLASS = 7_346_210

/**
 * Runs `work` while holding the task's session-level advisory lock, on one connection pinned for
 * the duration (the lock belongs to that session), so no two instances run the same task at
 * once. `work` gets that connection for its bookkeeping; the task itself may use others.
 * @returns `{ locked: false }` without running `work` when another session holds the lock
 */
export async function withTaskLock<T>(
  db: Db,
  task: string,
  work: (conn: Db) => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_lock(${SCHEDULER_LOCK_CLASS}, hashtext(${task})) as locked`.execute(
      conn,
    )
    if (!rows[0]?.locked) return { locked: false as const }
    try {
      return { locked: true as const, value: await work(conn) }
    } finally {
      // A lost connection takes its session's locks with it: nothing to release then.
      await sql`select pg_advisory_unlock(${SCHEDULER_LOCK_CLASS}, hashtext(${task}))`
        .execute(conn)
        .catch(() => undefined)
    }
  })
}

/**
 * Claims the slot `plannedAt` of `task` by inserting its run as `running`. The unique key on
 * (task, planned_at) makes this a compare-and-set across instances: exactly one claim wins.
 * `catchUp` marks a claim that does not start at its slot by design (an instance's first check
 * at start-up); a takeover is always one. Scheduler lag leaves catch-up runs out.
 *
 * `takeOver` re-claims a slot whose run is still `running` but whose runner is known to be gone:
 * the caller holds the task's advisory lock (a live runner would hold it), or, on the embedded
 * database, the run started before this process's scheduler did. Only rows started before
 * `takeOver.startedBefore` are taken over, so a claim never steals its own slot.
 * @returns the run's id and whether it was taken over; undefined when the slot is taken
 */
export async function claimSchedulerSlot(
  db: Db,
  run: { task: string; plannedAt: Date; startedAt: Date; instance: string; catchUp?: boolean },
  takeOver?: { startedBefore: Date },
): Promise<{ id: number; takenOver: boolean } | undefined> {
  const row = await db
    .insertInto('scheduler_runs')
    .values({
      task: run.task,
      planned_at: run.plannedAt,
      started_at: run.startedAt,
      outcome: 'running',
      instance: run.instance,
      catch_up: run.catchUp ?? false,
    })
    .onConflict((oc) => {
      const target = oc.columns(['task', 'planned_at'])
      if (!takeOver) return target.doNothing()
      return target
        .doUpdateSet({ started_at: run.startedAt, instance: run.instance, catch_up: true })
        .where('scheduler_runs.outcome', '=', 'running')
        .where('scheduler_runs.started_at', '<', takeOver.startedBefore)
    })
    .returning(['id', sql<boolean>`xmax <> 0`.as('updated')])
    .executeTakeFirst()
  if (!row) return undefined
  // xmax is set on a row version written by ON CONFLICT DO UPDATE, 0 on a fresh insert.
  return { id: Number(row.id), takenOver: row.updated }
}

/** Records how a claimed run ended; `error` (≤ 1,000 characters kept) only for a failure. */
export async function finishSchedulerRun(
  db: Db,
  id: number,
  end: { finishedAt: Date; outcome: 'succeeded' | 'failed'; error?: string | null },
): Promise<void> {
  await db
    .updateTable('scheduler_runs')
    .set({
      finished_at: end.finishedAt,
      outcome: end.outcome,
      error: end.error?.slice(0, 1000) ?? null,
    })
    .where('id', '=', id)
    .execute()
}

/** The latest runs, newest slot first, of one task or of all; `limit` defaults to 50. */
export async function listSchedulerRuns(
  db: Db,
  filter: { task?: string; limit?: number } = {},
): Promise<SchedulerRun[]> {
  let query = db.selectFrom('scheduler_runs').selectAll()
  if (filter.task) query = query.where('task', '=', filter.task)
  const rows = await query
    .orderBy('planned_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 50)
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    task: r.task,
    plannedAt: r.planned_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    error: r.error,
    instance: r.instance,
  }))
}

/** Deletes runs planned before `before`; returns how many. */
export async function pruneSchedulerRuns(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('scheduler_runs')
    .where('planned_at', '<', before)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
