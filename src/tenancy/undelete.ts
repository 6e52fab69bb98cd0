import { findTenantForUpdate } from '../db/tenants.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { findPurgedAt, markTenantRestored } from '../db/tenant-deletion.js'
import type { Tenant } from '../db/tenants.js'

// Restore from deletion (issue 11 item 6): within the grace period a deleted tenant comes back
// `suspended` with its schema, memberships and data as they were; an operator activates it.

export type UndeleteRefusal = 'tenant_not_found' | 'not_deleted' | 'purged' | 'purge_due'

/**
 * Brings a deleted tenant back as `suspended` (deleted_at and purge_after cleared), audited as
 * `tenant.undelete` with before/after, in one transaction under the row lock. Only while
 * purge_after > now: at or past it the purge may already be running.
 * @returns the tenant, or a refusal: `purged` (with `purgedAt` when the purge was audited; a
 *   tenant deleted before grace periods existed was purged at once), `purge_due`, `not_deleted`.
 */
export async function undeleteTenant(
  db: Db,
  context: AuditContext,
  id: string,
  now = new Date(),
): Promise<
  | DomainResult<{ tenant: Tenant }, Exclude<UndeleteRefusal, 'purged'>>
  | { ok: false; reason: 'purged'; purgedAt: Date | null }
> {
  const outcome = await db.transaction().execute(async (trx) => {
    const before = await findTenantForUpdate(trx, id)
    if (!before) return refuse('tenant_not_found')
    if (before.status !== 'deleted') return refuse('not_deleted')
    if (!before.purgeAfter) return refuse('purged')
    if (before.purgeAfter.getTime() <= now.getTime()) return refuse('purge_due')
    const tenant = await markTenantRestored(trx, id, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'tenant.undelete',
        targetType: 'tenant',
        targetId: id,
        tenantId: id,
        before: {
          status: 'deleted',
          deletedAt: before.deletedAt?.toISOString() ?? null,
          purgeAfter: before.purgeAfter.toISOString(),
        },
        after: { status: 'suspended', deletedAt: null, purgeAfter: null },
      },
      now,
    )
    return { ok: true as const, tenant }
  })
  if (outcome.ok || outcome.reason !== 'purged') return outcome
  return { ok: false, reason: 'purged', purgedAt: (await findPurgedAt(db, id)) ?? null }
}
