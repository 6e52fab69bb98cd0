import type { Db } from '../db/database.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import { setSuperAdminSsoOnly } from '../db/super-admins.js'
import { refuse, type DomainResult } from '../domain-result.js'

/**
 * Restricts operator `id` to SSO sign-in (`ssoOnly` true: a right password opens nothing) or
 * lifts it, and audits `super_admin.sso_only` with before/after in the same transaction. Turning
 * it on needs at least one identity provider configured (`providersConfigured`), or the operator
 * could not sign in at all. TOTP stays required either way (seed 002).
 * @returns `before`; `not_found`, or `no_provider` when none is configured
 */
export async function setOperatorSsoOnly(
  db: Db,
  context: AuditContext,
  id: string,
  ssoOnly: boolean,
  providersConfigured: number,
  now: Date,
): Promise<DomainResult<{ before: boolean }, 'not_found' | 'no_provider'>> {
  if (ssoOnly && providersConfigured === 0) return refuse('no_provider')
  return db.transaction().execute(async (trx) => {
    const change = await setSuperAdminSsoOnly(trx, id, ssoOnly)
    if (!change) return refuse('not_found')
    if (change.before !== ssoOnly) {
      await appendAuditEntry(
        trx,
        context,
        {
          action: 'super_admin.sso_only',
          targetType: 'super_admin',
          targetId: id,
          before: { ssoOnly: change.before },
          after: { ssoOnly },
        },
        now,
      )
    }
    return { ok: true as const, before: change.before }
  })
}
