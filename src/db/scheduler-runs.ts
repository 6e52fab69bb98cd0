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
 * @returns the run's id, or undefined when the slot was already claimed
 */
export async function claimSchedulerSlot(
  db: Db,
  run: { task: string; plannedAt: Date; startedAt: Date; instance: string },
): Promise<number | undefined> {
  const row = await db
    .insertInto('scheduler_runs')
    .values({
      task: run.task,
      planned_at: run.plannedAt,
      started_at: run.startedAt,
      outcome: 'running',
      instance: run.instance,
    })
    .onConflict((oc) => oc.columns(['task', 'planned_at']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id
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
