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
