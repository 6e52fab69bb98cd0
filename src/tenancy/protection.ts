import { findTenantForUpdate } from '../db/tenants.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { setTenantProtected } from '../db/tenant-deletion.js'
import type { Tenant } from '../db/tenants.js'

// Protection (issue 11 item 6): an owner marks a tenant protected, and it cannot be deleted — by
// the console, a script or a bulk change — nor purged while deleted, until an owner unprotects it.
// Who may call these is the route's check (owners only); the verbs only change and audit.

/**
 * Sets or clears a tenant's protection, audited as `tenant.protect` / `tenant.unprotect` with
 * before/after, in one transaction under the row lock. A purged tenant (deleted, nothing left to
 * purge) cannot be protected: there is nothing to keep.
 * @returns the tenant, or `tenant_not_found`, `unchanged` (already in that state), `purged`.
 */
export async function setTenantProtection(
  db: Db,
  context: AuditContext,
  id: string,
  value: boolean,
  now = new Date(),
): Promise<DomainResult<{ tenant: Tenant }, 'tenant_not_found' | 'unchanged' | 'purged'>> {
  return db.transaction().execute(async (trx) => {
    const before = await findTenantForUpdate(trx, id)
    if (!before) return refuse('tenant_not_found')
    if (before.protected === value) return refuse('unchanged')
    if (value && before.status === 'deleted' && !before.purgeAfter) return refuse('purged')
    const tenant = await setTenantProtected(trx, id, value, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: value ? 'tenant.protect' : 'tenant.unprotect',
        targetType: 'tenant',
        targetId: id,
        tenantId: id,
        before: { protected: before.protected },
        after: { protected: value },
      },
      now,
    )
    return { ok: true as const, tenant }
  })
}
