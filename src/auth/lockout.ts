import { sql } from 'kysely'
import type { Db } from '../db/database.js'

// Account lockout after consecutive failures (seeds/002 "Brute-force lockout": 5 fails → 15 min,
// 10 → 1 hour, 20 → 24 hours; OWASP ASVS 5.0 §6.3.1). Password and TOTP failures have separate
// counters; either one locks the account. Every failure at or past a threshold locks again.

export type FailureKind = 'password' | 'totp'

/** Thresholds, highest first: consecutive failures → lock length in seconds. */
export const LOCKOUT_STEPS = [
  { failures: 20, seconds: 24 * 3600 },
  { failures: 10, seconds: 3600 },
  { failures: 5, seconds: 15 * 60 },
] as const

/** Lock length in seconds after `failures` consecutive failures; 0 below the first threshold. */
export function lockSecondsFor(failures: number): number {
  return LOCKOUT_STEPS.find((step) => failures >= step.failures)?.seconds ?? 0
}

function counterColumn(kind: FailureKind) {
  return kind === 'password' ? 'failed_password_count' : 'failed_totp_count'
}

/**
 * Counts one failure and locks when a threshold is reached, in ONE statement: the increment
 * and the lock are computed by the database from the row as it is, so twenty failures sent in
 * parallel count as twenty (the race ZITADEL's lockout once had).
 * @returns the new count and the lock end (null when not locked)
 */
export async function recordFailure(
  db: Db,
  superAdminId: string,
  kind: FailureKind,
  now: Date,
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const column = sql.ref(counterColumn(kind))
  const lockCase = sql.join(
    LOCKOUT_STEPS.map((step) => sql`when ${column} + 1 >= ${step.failures} then ${now}::timestamptz + make_interval(secs => ${step.seconds})`),
    sql` `,
  )
  const { rows } = await sql<{ failures: number; locked_until: Date | null }>`
    update super_admins
    set ${column} = ${column} + 1,
        locked_until = case ${lockCase} else locked_until end
    where id = ${superAdminId}
    returning ${column} as failures, locked_until`.execute(db)
  const row = rows[0]
  return { failures: row?.failures ?? 0, lockedUntil: row?.locked_until ?? null }
}

/** After a success of `kind`: that counter back to 0 (a full sign-in clears both and the lock). */
export async function resetFailures(db: Db, superAdminId: string, kinds: FailureKind[]): Promise<void> {
  if (kinds.length === 0) return
  await db
    .updateTable('super_admins')
    .set({
      ...(kinds.includes('password') ? { failed_password_count: 0 } : {}),
      ...(kinds.includes('totp') ? { failed_totp_count: 0, locked_until: null } : {}),
    })
    .where('id', '=', superAdminId)
    .execute()
}

/** True while `lockedUntil` is in the future. */
export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime()
}
