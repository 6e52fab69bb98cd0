import { roleCan } from '../auth/permissions.js'
import { invalidateSession, invalidateSuperAdminSessions } from '../auth/session.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { OperatorRole } from '../db/schema.js'
import {
  changeSuperAdminRole,
  resetSuperAdminTotp,
  revokeEnrolmentLinks,
  setSuperAdminActive,
} from '../db/super-admins.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { endOperatorImpersonation } from '../tenancy/impersonation-end.js'
import { transactWithTenantAudit } from '../tenancy/tenant-audit-delivery.js'

// A super admin's life after the invitation: role, activation, TOTP reset, sessions. Each verb
// changes the rows and writes its audit entry (before/after) in one transaction.

/**
 * Gives admin `id` the role `role`; an unchanged role writes nothing. A role that cannot
 * impersonate ends their open impersonation in the same transaction. The last active owner
 * cannot be demoted (issue #3; the owner rows are locked, see changeSuperAdminRole).
 * @returns the role before; `not_found`, or `last_owner`
 */
export async function changeOperatorRole(
  db: Db,
  context: AuditContext,
  id: string,
  role: OperatorRole,
  now: Date,
): Promise<DomainResult<{ before: OperatorRole }, 'not_found' | 'last_owner'>> {
  return transactWithTenantAudit(db, async (trx) => {
    const change = await changeSuperAdminRole(trx, id, role)
    if (!change) return refuse('not_found')
    if (!change.ok || change.before === role) return change
    if (!roleCan(role, 'saas.tenants.impersonate'))
      await endOperatorImpersonation(trx, context, id, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'super_admin.role_change',
        targetType: 'super_admin',
        targetId: id,
        before: { role: change.before },
        after: { role },
      },
      now,
    )
    return change
  })
}

/**
 * Deactivates admin `id`: their sessions, unused links and open impersonation end in the same
 * transaction, so a stolen cookie, a forwarded invitation or a tenant-app session stops working. The last active owner cannot
 * be deactivated.
 * @returns how many sessions ended and links were revoked; `not_found`, `last_owner`, or
 *   `unchanged` when already deactivated
 */
export async function deactivateOperator(
  db: Db,
  context: AuditContext,
  id: string,
  now: Date,
): Promise<
  DomainResult<
    { sessionsEnded: number; linksRevoked: number },
    'not_found' | 'last_owner' | 'unchanged'
  >
> {
  return transactWithTenantAudit(db, async (trx) => {
    const change = await setSuperAdminActive(trx, id, false)
    if (!change) return refuse('not_found')
    if (!change.ok) return change
    if (!change.changed) return refuse('unchanged')
    const sessionsEnded = await invalidateSuperAdminSessions(trx, id)
    const linksRevoked = await revokeEnrolmentLinks(trx, id, now)
    await endOperatorImpersonation(trx, context, id, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'super_admin.deactivate',
        targetType: 'super_admin',
        targetId: id,
        before: { isActive: true },
        after: { isActive: false, sessionsEnded, linksRevoked },
      },
      now,
    )
    return { ok: true as const, sessionsEnded, linksRevoked }
  })
}

/**
 * Lets a deactivated admin `id` sign in again (with the password and TOTP they had).
 * @returns `not_found`, or `unchanged` when already active
 */
export async function reactivateOperator(
  db: Db,
  context: AuditContext,
  id: string,
  now: Date,
): Promise<DomainResult<object, 'not_found' | 'unchanged'>> {
  return db.transaction().execute(async (trx) => {
    const change = await setSuperAdminActive(trx, id, true)
    if (!change) return refuse('not_found')
    if (!change.ok || !change.changed) return refuse('unchanged')
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'super_admin.reactivate',
        targetType: 'super_admin',
        targetId: id,
        before: { isActive: false },
        after: { isActive: true },
      },
      now,
    )
    return { ok: true as const }
  })
}

/**
 * Forgets admin `id`'s authenticator and ends their sessions; they enrol a new one at their next
 * sign-in. Nobody resets their own: a stolen session must not swap the owner's authenticator
 * (issue #3), so the actor of `context` must be someone else.
 * @returns how many sessions ended; `own_totp`, or `not_enrolled` when there is nothing to reset
 */
export async function resetOperatorTotp(
  db: Db,
  context: AuditContext,
  id: string,
  now: Date,
): Promise<DomainResult<{ sessionsEnded: number }, 'own_totp' | 'not_enrolled'>> {
  if (context.actor?.id === id) return refuse('own_totp')
  return db.transaction().execute(async (trx) => {
    if (!(await resetSuperAdminTotp(trx, id))) return refuse('not_enrolled')
    const sessionsEnded = await invalidateSuperAdminSessions(trx, id)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'super_admin.reset_totp',
        targetType: 'super_admin',
        targetId: id,
        before: { mfaEnabled: true },
        after: { mfaEnabled: false, sessionsEnded },
      },
      now,
    )
    return { ok: true as const, sessionsEnded }
  })
}

/**
 * Ends one session (`sessionId`, which the caller found among admin `id`'s active sessions) or,
 * without it, every session of admin `id`. Audited only when something ended.
 * @returns how many sessions ended
 */
export async function endOperatorSessions(
  db: Db,
  context: AuditContext,
  id: string,
  sessionId: string | undefined,
  now: Date,
): Promise<DomainResult<{ ended: number }>> {
  return db.transaction().execute(async (trx) => {
    const ended = sessionId
      ? Number(await invalidateSession(trx, sessionId))
      : await invalidateSuperAdminSessions(trx, id)
    if (ended > 0) {
      await appendAuditEntry(
        trx,
        context,
        {
          action: 'super_admin.sessions.end',
          targetType: 'super_admin',
          targetId: id,
          // The id's first 8 characters, as /account audits it: enough to match, nothing more.
          after: sessionId ? { sessionId: sessionId.slice(0, 8) } : { sessionsEnded: ended },
        },
        now,
      )
    }
    return { ok: true as const, ended }
  })
}
