import { sql } from 'kysely'
import type { Db } from './database.js'
import type { UserSignInOutcome } from './schema.js'
import { advanceLastLogins } from './users.js'

// Tenant users' sign-in history (`public.user_sign_ins`, issue 7 item 6): written by the tenant
// side and, until it does, by the demo fleet. `users.last_login_at` follows the newest success.

/** How long sign-in history is kept (issue 7 item 6); housekeeping prunes what is older. */
export const USER_SIGN_INS_KEPT_DAYS = 180

export type NewUserSignIn = {
  userId: string
  /** The tenant signed in to; null when the attempt named none (or an unknown one). */
  tenantId: string | null
  at: Date
  ip: string | null
  userAgent: string | null
  outcome: UserSignInOutcome
  /** Why a failure or refusal happened: 'wrong password', 'user disabled', … */
  detail?: string | null
}

/**
 * Records one sign-in attempt; a `succeeded` one also moves `users.last_login_at` to
 * `greatest(last_login_at, at)` (never backwards, so late-arriving events are harmless), in the
 * same transaction (the caller's when `db` is one).
 * @throws when the user or tenant does not exist (foreign keys)
 */
export async function recordUserSignIn(db: Db, signIn: NewUserSignIn): Promise<void> {
  if (!db.isTransaction) {
    return db.transaction().execute((trx) => recordUserSignIn(trx, signIn))
  }
  await insertUserSignIns(db, [signIn])
  if (signIn.outcome !== 'succeeded') return
  await advanceLastLogins(db, [{ userId: signIn.userId, at: signIn.at }])
}

/**
 * Inserts sign-in rows as they are, in one statement however many (seven array parameters
 * through unnest, so no bind-parameter limit), for bulk loads such as the demo fleet. Leaves
 * `users.last_login_at` alone: the caller keeps it in step.
 * @returns how many rows were inserted
 */
export async function insertUserSignIns(db: Db, rows: NewUserSignIn[]): Promise<number> {
  if (rows.length === 0) return 0
  const result = await sql`
    insert into user_sign_ins (user_id, tenant_id, at, ip, user_agent, outcome, detail)
    select * from unnest(
      ${rows.map((r) => r.userId)}::uuid[],
      ${rows.map((r) => r.tenantId)}::uuid[],
      ${rows.map((r) => r.at)}::timestamptz[],
      ${rows.map((r) => r.ip)}::text[],
      ${rows.map((r) => r.userAgent)}::text[],
      ${rows.map((r) => r.outcome)}::text[],
      ${rows.map((r) => r.detail ?? null)}::text[])`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/**
 * Deletes sign-ins older than `before` (strictly), for the retention of USER_SIGN_INS_KEPT_DAYS;
 * uses the index on `at`. `users.last_login_at` is kept: it records the fact, not the row.
 * @returns how many rows were deleted
 */
export async function pruneUserSignIns(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('user_sign_ins').where('at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}
