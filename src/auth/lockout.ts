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

export type Admission = {
  /** False when the account was already locked when this attempt arrived: refuse it unchecked. */
  admitted: boolean
  /** Consecutive attempts of this kind not yet followed by a success, this one included. */
  failures: number
  lockedUntil: Date | null
  /** True when this attempt started or lengthened the lock (audit it as `auth.lockout`). */
  lockExtended: boolean
}

/**
 * Counts an attempt BEFORE its password or code is checked, and locks when a threshold is
 * reached, in ONE statement under the row's lock: twenty attempts sent in parallel count as
 * twenty, and only the ones that arrive before the lock get checked at all — so parallel
 * guessing cannot outrun the lockout (the race ZITADEL's lockout once had). A success then
 * resets the counter (`resetFailures`). Attempts during a lock are refused and still counted, so
 * a flood escalates to the longer locks. A lock is never shortened.
 */
export async function admitAttempt(
  db: Db,
  superAdminId: string,
  kind: FailureKind,
  now: Date,
): Promise<Admission> {
  const column = sql.ref(`s.${counterColumn(kind)}`)
  // Each lock's end is computed here and sent as a parameter, not as `now + make_interval(…)`:
  // Citus refuses non-IMMUTABLE functions in an UPDATE's CASE, so with it the public tables
  // could not be Citus-managed (issue 13 item 4). greatest and coalesce are not functions.
  const lockCase = sql.join(
    LOCKOUT_STEPS.map(
      (step) => sql`when ${column} + 1 >= ${step.failures}
        then greatest(coalesce(s.locked_until, ${now}::timestamptz), ${lockEnd(now, step.seconds)}::timestamptz)`,
    ),
    sql` `,
  )
  const { rows } = await sql<{
    failures: number
    locked_until: Date | null
    previous_lock: Date | null
  }>`
    with previous as (select id, locked_until from super_admins where id = ${superAdminId} for update)
    update super_admins s
    set ${sql.ref(counterColumn(kind))} = ${column} + 1,
        locked_until = case ${lockCase} else s.locked_until end
    from previous
    where s.id = previous.id
    returning ${column} as failures, s.locked_until, previous.locked_until as previous_lock`.execute(
    db,
  )
  const row = rows[0]
  if (!row) return { admitted: false, failures: 0, lockedUntil: null, lockExtended: false }
  const before = row.previous_lock?.getTime() ?? 0
  return {
    admitted: !isLocked(row.previous_lock, now),
    failures: row.failures,
    lockedUntil: row.locked_until,
    lockExtended: isLocked(row.locked_until, now) && row.locked_until!.getTime() > before,
  }
}

/**
 * After an admitted attempt succeeded: those counters back to 0 and the lock lifted (a lock set
 * meanwhile came from attempts that arrived with or after this one).
 */
export async function resetFailures(
  db: Db,
  superAdminId: string,
  kinds: FailureKind[],
): Promise<void> {
  if (kinds.length === 0) return
  await db
    .updateTable('super_admins')
    .set({
      ...(kinds.includes('password') ? { failed_password_count: 0 } : {}),
      ...(kinds.includes('totp') ? { failed_totp_count: 0 } : {}),
      locked_until: null,
    })
    .where('id', '=', superAdminId)
    .execute()
}

/** When a lock of `seconds` taken at `now` ends. */
function lockEnd(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000)
}

/** True while `lockedUntil` is in the future. */
export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime()
}
