import { invalidateAllSessions } from '../auth/session.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { getGlobalAllowlist, invalidateSettingsCache, setGlobalAllowlist } from '../db/settings.js'
import type { DomainResult } from '../domain-result.js'

// Cluster security settings (owners). Each verb writes and audits in one transaction.

/**
 * Replaces the global IP allowlist with `entries` (already parsed, and checked by the caller to
 * include the address the request comes from). The old list is read under a row lock, so the
 * audited "before" is the list actually replaced.
 */
export async function setGlobalIpAllowlist(
  db: Db,
  context: AuditContext,
  entries: string[],
  updatedBy: string,
  now: Date,
): Promise<DomainResult<{ before: string[] }>> {
  const before = await db.transaction().execute(async (trx) => {
    const before = await getGlobalAllowlist(trx, { forUpdate: true })
    await setGlobalAllowlist(trx, entries, updatedBy, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.ip_allowlist',
        targetType: 'settings',
        targetId: 'ip_allowlist',
        before: { ipAllowlist: before },
        after: { ipAllowlist: entries },
      },
      now,
    )
    return before
  })
  // Again after the commit: a request that re-read the settings mid-transaction saw the old list.
  invalidateSettingsCache()
  return { ok: true, before }
}

/**
 * Ends every session of every super admin, the caller's included (a lost laptop, a leaked
 * secret), audited as `auth.session.end_all`.
 * @returns how many sessions ended
 */
export async function signEveryoneOut(
  db: Db,
  context: AuditContext,
  now: Date,
): Promise<DomainResult<{ ended: number }>> {
  const ended = await db.transaction().execute(async (trx) => {
    const ended = await invalidateAllSessions(trx)
    await appendAuditEntry(
      trx,
      context,
      { action: 'auth.session.end_all', targetType: 'cluster', targetId: null, after: { ended } },
      now,
    )
    return ended
  })
  return { ok: true, ended }
}
