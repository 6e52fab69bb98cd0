import { sql } from 'kysely'
import type { Db } from './database.js'

/**
 * Counts one hit against `key` in the fixed window of `windowSeconds` that contains `now`, in one
 * atomic upsert, and returns the hits so far in that window (this one included). Old windows are
 * pruned every 10 minutes by `pruneRateLimits` (src/jobs/housekeeping.ts).
 */
export async function hitRateLimit(
  db: Db,
  key: string,
  windowSeconds: number,
  now: Date,
): Promise<number> {
  const windowStart = windowStartOf(now, windowSeconds)
  const { rows } = await sql<{ hits: number }>`
    insert into rate_limits (key, window_start, hits) values (${key}, ${windowStart}, 1)
    on conflict (key, window_start) do update set hits = rate_limits.hits + 1
    returning hits`.execute(db)
  return rows[0].hits
}

/**
 * Takes back one hit of `key` in the window that contains `now` (never below zero): for limits
 * that count an attempt up front, atomically, and forgive it when it turns out to succeed.
 */
export async function releaseRateLimit(
  db: Db,
  key: string,
  windowSeconds: number,
  now: Date,
): Promise<void> {
  await db
    .updateTable('rate_limits')
    .set((eb) => ({ hits: eb('hits', '-', 1) }))
    .where('key', '=', key)
    .where('window_start', '=', windowStartOf(now, windowSeconds))
    .where('hits', '>', 0)
    .execute()
}

/** Hits of `key` in the current window, without counting one. */
export async function peekRateLimit(
  db: Db,
  key: string,
  windowSeconds: number,
  now: Date,
): Promise<number> {
  const windowStart = windowStartOf(now, windowSeconds)
  const row = await db
    .selectFrom('rate_limits')
    .select('hits')
    .where('key', '=', key)
    .where('window_start', '=', windowStart)
    .executeTakeFirst()
  return row?.hits ?? 0
}

/** Deletes windows that started more than a day before `before` (every window is shorter). */
export async function pruneRateLimits(db: Db, before: Date): Promise<void> {
  await db
    .deleteFrom('rate_limits')
    .where('window_start', '<', new Date(before.getTime() - 86_400_000))
    .execute()
}

/** Start of the fixed window of `windowSeconds` that contains `now` (aligned to the epoch). */
function windowStartOf(now: Date, windowSeconds: number): Date {
  return new Date(Math.floor(now.getTime() / (windowSeconds * 1000)) * windowSeconds * 1000)
}

/**
 * `hitRateLimit` in a transaction of its own that commits without waiting for the WAL flush
 * (`synchronous_commit = off`, PostgreSQL docs §30.4 "Asynchronous Commit"): a counter lost to a
 * crash only forgives a few hits, and the flush was most of the cost of a kit API call. Never
 * inside another transaction, whose commit would become asynchronous too.
 * @throws Error when `db` is a transaction
 */
export async function hitRateLimitLightly(
  db: Db,
  key: string,
  windowSeconds: number,
  now: Date,
): Promise<number> {
  if (db.isTransaction) throw new Error('hitRateLimitLightly must not run inside a transaction')
  return db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit = off`.execute(trx)
    return hitRateLimit(trx, key, windowSeconds, now)
  })
}
