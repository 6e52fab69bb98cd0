import { deleteExpiredSessions } from './auth/session.js'
import type { Config } from './config.js'
import type { DatabaseHandle } from './db/database.js'
import { pruneRateLimits } from './db/rate-limits.js'

/**
 * Deletes what has stopped meaning anything: sessions past their idle or absolute limit and
 * rate-limit windows older than a day. Every `intervalMs` (default 10 minutes), and once at start.
 * Failures are logged and retried at the next tick.
 * @returns `stop()` for shutdown
 */
export function startHousekeeping(
  database: DatabaseHandle,
  config: Config,
  intervalMs = 10 * 60_000,
): { stop(): void } {
  const policy = {
    idleSeconds: config.sessionIdleSeconds,
    absoluteSeconds: config.sessionAbsoluteSeconds,
  }
  const run = async () => {
    try {
      const now = new Date()
      const sessions = await deleteExpiredSessions(database.db, policy, now)
      await pruneRateLimits(database.db, now)
      if (sessions > 0)
        console.log(
          JSON.stringify({ level: 'info', msg: 'housekeeping', expiredSessions: sessions }),
        )
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'error', msg: 'housekeeping failed', error: String(error) }),
      )
    }
  }
  void run()
  const timer = setInterval(() => void run(), intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
