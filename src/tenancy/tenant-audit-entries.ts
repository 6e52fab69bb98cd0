import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { findImpersonation, type Impersonation } from '../db/impersonations.js'
import { appendTenantAuditEntry, type NewTenantAuditEntry } from '../db/tenant-audit-log.js'
import { findTenantBySlug } from '../db/tenants.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { deliverTenantAudit, enqueueTenantAuditEntries } from './tenant-audit-delivery.js'

// Entries a tenant app writes into its tenant's own audit log through the kit API
// (PROTOCOL.md "Tenant audit entries"). A write done while impersonating gets both identities
// from Fleetdeck's own row: the app cannot forge who did it.

export type TenantAuditWrite = {
  appKeyId: string
  slug: string
  action: string
  details: Record<string, unknown>
}

/**
 * A tenant user's own action, with `actorEmail` as the actor (the tenant's log only).
 * @returns the entry's id, or tenant_not_found for an unknown tenant or one without a log
 */
export async function recordTenantAuditEntry(
  db: Db,
  write: TenantAuditWrite & { actorEmail: string },
): Promise<DomainResult<{ entryId: number }, 'tenant_not_found'>> {
  const tenant = await findTenantBySlug(db, write.slug)
  if (!tenant || (tenant.status !== 'active' && tenant.status !== 'suspended')) {
    return refuse('tenant_not_found')
  }
  const entryId = await appendTenantAuditEntry(db, tenant.slug, {
    actor: write.actorEmail,
    action: write.action,
    details: write.details,
  })
  return { ok: true, entryId }
}

/**
 * A write done while impersonating: the tenant entry's actor is the operator, its details gain
 * the impersonated user, the impersonation, its reason, ticket and mode; `public.audit_log` gets
 * `impersonation.action` with both identities (and the entry's `deliveryId`) in the transaction
 * that enqueues the tenant entry, which is delivered right after the commit (issue 13 item 4).
 * The impersonation must be of this tenant and issued to this app key (else not_found), still
 * active, and read-write (else read_only: a read-only session writes nothing).
 * @returns the delivered entry's id; null when delivery failed after the commit (the outbox row
 *   stays and the sweep delivers it)
 * @throws when the tenant's schema is missing: nothing is written
 */
export async function recordImpersonatedAction(
  db: Db,
  ctx: AuditContext,
  write: TenantAuditWrite & { impersonationId: string },
  now: Date,
): Promise<
  DomainResult<{ entryId: number | null }, 'not_found' | 'impersonation_inactive' | 'read_only'>
> {
  const enqueued = await db.transaction().execute(async (trx) => {
    // Locked so an End cannot slip in between the check and the entries.
    const imp = await findImpersonation(trx, write.impersonationId, true)
    if (!imp || imp.appKeyId !== write.appKeyId || imp.tenantSlug !== write.slug) {
      return refuse('not_found')
    }
    if (imp.endedAt || imp.expiresAt <= now) return refuse('impersonation_inactive')
    // Fleetdeck holds read-only too, not only the app's middleware (issue 8 item 2).
    if (imp.mode !== 'read_write') return refuse('read_only')
    const deliveryId = await enqueueTenantAuditEntries(
      trx,
      { id: imp.tenantId, slug: imp.tenantSlug },
      [supportEntry(imp, write)],
    )
    await appendAuditEntry(
      trx,
      { ...ctx, actor: { id: imp.operatorId, email: imp.operatorEmail } },
      {
        action: 'impersonation.action',
        targetType: 'impersonation',
        targetId: imp.id,
        tenantId: imp.tenantId,
        impersonatedUserId: imp.userId,
        impersonatedTenantId: imp.tenantId,
        after: { action: write.action, details: write.details, deliveryId },
      },
      now,
    )
    return { ok: true as const, deliveryId }
  })
  if (!enqueued.ok) return enqueued
  const [delivery] = await deliverTenantAudit(db, [enqueued.deliveryId])
  return { ok: true, entryId: delivery?.outcome === 'delivered' ? delivery.entryIds[0] : null }
}

/** The tenant's entry for a write done while impersonating: the operator acts, for the user. */
function supportEntry(imp: Impersonation, write: TenantAuditWrite): NewTenantAuditEntry {
  return {
    actor: imp.operatorEmail,
    action: write.action,
    details: {
      ...write.details,
      impersonatedUser: imp.userEmail,
      impersonationId: imp.id,
      reason: imp.reason,
      ticket: imp.ticket,
      mode: imp.mode,
      via: 'fleetdeck-support',
    },
  }
}
