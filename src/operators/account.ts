import { invalidateOtherSessions, invalidateSession, type Session } from '../auth/session.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { setSuperAdminAllowlist, type SuperAdmin } from '../db/super-admins.js'
import type { DomainResult } from '../domain-result.js'

// What a signed-in super admin changes about their own account: sessions and personal IP
// allowlist. Each verb writes and audits in one transaction; `context.actor` is the admin.

/**
 * Ends one of the admin's own sessions (`sessionId`, which the caller found among their active
 * sessions), audited as `auth.session.end` with the id's first 8 characters — unless it had
 * ended meanwhile (expired, or ended from another tab): then there is nothing to audit.
 */
export async function endOwnSession(
  db: Db,
  context: AuditContext,
  sessionId: string,
  now: Date,
): Promise<DomainResult<object>> {
  await db.transaction().execute(async (trx) => {
    if (!(await invalidateSession(trx, sessionId))) return
    await appendAuditEntry(
      trx,
      context,
      { action: 'auth.session.end', targetType: 'session', targetId: sessionId.slice(0, 8) },
      now,
    )
  })
  return { ok: true }
}

/**
 * Ends every session of `operator` but `current`, audited as `auth.session.end_others`.
 * @returns how many ended
 */
export async function endOtherSessions(
  db: Db,
  context: AuditContext,
  operator: SuperAdmin,
  current: Session,
  now: Date,
): Promise<DomainResult<{ ended: number }>> {
  const ended = await db.transaction().execute(async (trx) => {
    const count = await invalidateOtherSessions(trx, operator.id, current.id)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'auth.session.end_others',
        targetType: 'super_admin',
        targetId: operator.id,
        after: { ended: count },
      },
      now,
    )
    return count
  })
  return { ok: true, ended }
}

/**
 * Replaces `operator`'s own IP allowlist with `entries` (already parsed, and checked by the
 * caller to include the address the request comes from), audited with before and after.
 */
export async function setOwnAllowlist(
  db: Db,
  context: AuditContext,
  operator: SuperAdmin,
  entries: string[],
  now: Date,
): Promise<DomainResult<object>> {
  await db.transaction().execute(async (trx) => {
    await setSuperAdminAllowlist(trx, operator.id, entries)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'super_admin.allowlist',
        targetType: 'super_admin',
        targetId: operator.id,
        before: { ipAllowlist: operator.ipAllowlist },
        after: { ipAllowlist: entries },
      },
      now,
    )
  })
  return { ok: true }
}

/**
 * Signs `operator` out: their session `sessionId` ends and `auth.logout` is audited with them
 * as the actor (the request itself carries no operator: sign-out is a public route).
 */
export async function signOut(
  db: Db,
  context: AuditContext,
  operator: SuperAdmin,
  sessionId: string,
  now: Date,
): Promise<DomainResult<object>> {
  await db.transaction().execute(async (trx) => {
    await invalidateSession(trx, sessionId)
    await appendAuditEntry(
      trx,
      { ...context, actor: { id: operator.id, email: operator.email } },
      { action: 'auth.logout', targetType: 'super_admin', targetId: operator.id },
      now,
    )
  })
  return { ok: true }
}
