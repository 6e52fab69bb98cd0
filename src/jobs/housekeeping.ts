import { deleteExpiredSessions, type SessionPolicy } from '../auth/session.js'
import type { Db } from '../db/database.js'
import { deleteFinishedJobRuns } from '../db/job-run-writes.js'
import { pruneRateLimits } from '../db/rate-limits.js'
import { pruneSchedulerRuns } from '../db/scheduler-runs.js'
import { pruneUserSignIns, USER_SIGN_INS_KEPT_DAYS } from '../db/user-sign-ins.js'

/** How long the scheduler's record of runs is kept. */
export const SCHEDULER_RUNS_KEPT_DAYS = 30

/** How long a finished job run and its items are kept (issue 11 item 1). */
export const JOB_RUNS_KEPT_DAYS = 90

const DAY_MS = 86_400_000

/**
 * Deletes what has stopped meaning anything: sessions past their idle or absolute limit,
 * rate-limit windows older than a day, scheduler runs older than SCHEDULER_RUNS_KEPT_DAYS, and
 * tenant users' sign-ins older than USER_SIGN_INS_KEPT_DAYS (issue 7 item 6), and job runs
 * finished more than JOB_RUNS_KEPT_DAYS ago with their items.
 * @returns how many sessions, scheduler runs, user sign-ins and job runs were deleted
 */
export async function runHousekeeping(
  db: Db,
  policy: SessionPolicy,
  now: Date = new Date(),
): Promise<{
  expiredSessions: number
  schedulerRuns: number
  userSignIns: number
  jobRuns: number
}> {
  const expiredSessions = await deleteExpiredSessions(db, policy, now)
  await pruneRateLimits(db, now)
  const schedulerRuns = await pruneSchedulerRuns(
    db,
    new Date(now.getTime() - SCHEDULER_RUNS_KEPT_DAYS * DAY_MS),
  )
  const userSignIns = await pruneUserSignIns(
    db,
    new Date(now.getTime() - USER_SIGN_INS_KEPT_DAYS * DAY_MS),
  )
  const jobRuns = await deleteFinishedJobRuns(
    db,
    new Date(now.getTime() - JOB_RUNS_KEPT_DAYS * DAY_MS),
  )
  return { expiredSessions, schedulerRuns, userSignIns, jobRuns }
}
