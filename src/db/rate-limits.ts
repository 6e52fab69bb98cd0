import { sql } from 'kysely'
import type { Db } from './database.js'

/**
 * Counts one hit against `key` in the fixed window of `windowSeconds` that contains `now`, in one
 * atomic upsert, and returns the hits so far in that window (this one included). Old windows are
 * pruned now and then by `pruneRateLimits`.
 */
export async function hitRateLimit(db: Db, key: string, windowSeconds: number, now: Date): Promise<number> {
  const windowStart = new Date(Math.floor(now.getTime() / (windowSeconds * 1000)) * windowSeconds * 1000)
  const { rows } = await sql<{ hits: number }>`
    insert into rate_limits (key, window_start, hits) values (${key}, ${windowStart}, 1)
    on conflict (key, window_start) do update set hits = rate_limits.hits + 1
    returning hits`.execute(db)
  return rows[0].hits
}

/** Hits of `key` in the current window, without counting one. */
export async function peekRateLimit(db: Db, key: string, windowSeconds: number, now: Date): Promise<number> {
  const windowStart = new Date(Math.floor(now.getTime() / (windowSeconds * 1000)) * windowSeconds * 1000)
  const row = await db
    .selectFrom('rate_limits')
    .select('hits')
    .where('key', '=', key)
    .where('window_start', '=', windowStart)
    .executeTakeFirst()
  return row?.hits ?? 0
}

/** Deletes windows that ended before `before`. */
export async function pruneRateLimits(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', new Date(before.getTime() - 86_400_000)).execute()
}
