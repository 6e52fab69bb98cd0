import { deleteExpiredSessions, type SessionPolicy } from '../auth/session.js'
import type { Db } from '../db/database.js'
import { pruneRateLimits } from '../db/rate-limits.js'
import { pruneSchedulerRuns } from '../db/scheduler-runs.js'

/** How long the scheduler's record of runs is kept. */
export const SCHEDULER_RUNS_KEPT_DAYS = 30

/**
 * Deletes what has stopped meaning anything: sessions past their idle or absolute limit,
 * rate-limit windows older than a day, and scheduler runs older than SCHEDULER_RUNS_KEPT_DAYS.
 * @returns how many sessions and scheduler runs were deleted
 */
export async function runHousekeeping(
  db: Db,
  policy: SessionPolicy,
  now: Date = new Date(),
): Promise<{ expiredSessions: number; schedulerRuns: number }> {
  const expiredSessions = await deleteExpiredSessions(db, policy, now)
  await pruneRateLimits(db, now)
  const schedulerRuns = await pruneSchedulerRuns(
    db,
    new Date(now.getTime() - SCHEDULER_RUNS_KEPT_DAYS * 86_400_000),
  )
  return { expiredSessions, schedulerRuns }
}
