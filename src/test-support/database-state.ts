import type { Db } from '../db/database.js'
import type { TestAdmin } from './factories.js'
import { sessionId } from './requests.js'

// What the database holds after a request: tests assert these next to the response ("nothing
// changed" compares counts; audited actions read their entries).

/** How many rows a table holds: "nothing changed" checks compare these. */
export async function countRows(
  db: Db,
  table:
    | 'tenants'
    | 'audit_log'
    | 'super_admins'
    | 'super_admin_sessions'
    | 'memberships'
    | 'users'
    | 'sign_in_attempts',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Audit entries with one action, oldest first. */
export function auditEntries(db: Db, action: string) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('seq')
    .execute()
}

/** Audit entries with one action whose target is `who`, oldest first. */
export async function auditEntriesFor(db: Db, action: string, who: TestAdmin) {
  return (await auditEntries(db, action)).filter((e) => e.target_id === who.admin.id)
}

/** The session row behind a session cookie, or undefined once it is gone. */
export function sessionRow(db: Db, cookie: string) {
  return db
    .selectFrom('super_admin_sessions')
    .selectAll()
    .where('id', '=', sessionId(cookie))
    .executeTakeFirst()
}

/** The super admin's row as stored now. */
export function superAdminRow(db: Db, who: TestAdmin) {
  return db
    .selectFrom('super_admins')
    .selectAll()
    .where('id', '=', who.admin.id)
    .executeTakeFirstOrThrow()
}

/** The lockout counters of a super admin (failed passwords, failed TOTP codes, locked until). */
export async function lockoutCounters(db: Db, who: TestAdmin) {
  const row = await superAdminRow(db, who)
  return {
    failed_password_count: row.failed_password_count,
    failed_totp_count: row.failed_totp_count,
    locked_until: row.locked_until,
  }
}

/** The outcomes of a super admin's recorded sign-in attempts, oldest first. */
export async function signInOutcomes(db: Db, who: TestAdmin): Promise<string[]> {
  const rows = await db
    .selectFrom('sign_in_attempts')
    .select('outcome')
    .where('super_admin_id', '=', who.admin.id)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.outcome)
}
