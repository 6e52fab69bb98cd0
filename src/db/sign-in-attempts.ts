import type { Db } from './database.js'
import type { SignInOutcome } from './schema.js'

/** The last `limit` sign-in attempts of one admin, newest first (sign-in history). */
export async function listSignInAttempts(db: Db, superAdminId: string, limit = 50) {
  const rows = await db
    .selectFrom('sign_in_attempts')
    .select(['at', 'ip', 'user_agent', 'outcome'])
    .where('super_admin_id', '=', superAdminId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    at: r.at,
    ip: r.ip,
    userAgent: r.user_agent,
    outcome: r.outcome as SignInOutcome,
  }))
}

export type NewSignInAttempt = {
  at: Date
  superAdminId: string | null
  /** What was typed (or the admin's email), at most 320 characters kept. */
  email: string
  ip: string | null
  userAgent: string | null
  outcome: SignInOutcome
}

/** Records one sign-in attempt in the admin's sign-in history. */
export async function insertSignInAttempt(db: Db, attempt: NewSignInAttempt): Promise<void> {
  await db
    .insertInto('sign_in_attempts')
    .values({
      at: attempt.at,
      super_admin_id: attempt.superAdminId,
      email: attempt.email.slice(0, 320),
      ip: attempt.ip,
      user_agent: attempt.userAgent,
      outcome: attempt.outcome,
    })
    .execute()
}
