import type { Db } from '../db/database.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import { attributeBillingCustomer, lockBillingCustomer } from '../db/billing-customer-writes.js'
import { findBillingCustomerForLink, insertBillingCustomerLink } from '../db/billing-links.js'
import { findTenantById } from '../db/tenants.js'
import { refreshTenantBilling } from './tenant-billing-refresh.js'

export type LinkCustomerResult =
  | { ok: true; tenantId: string }
  | { ok: false; reason: 'no_customer' | 'already_matched' | 'no_tenant' }

/**
 * Links an unmatched Stripe customer to a tenant (issue 12 item 2, "for an admin to link
 * (audited)"), in one transaction under the customer's lock: the link (kept across reprocessing,
 * read first by the matcher), the customer and its subscriptions, invoices and movements
 * attributed to the tenant (`matched_by` = 'link'), the tenant's billing columns refreshed, and
 * the audit entry `billing.customer.link` (target `billing_customer`, before {tenantId: null},
 * after {tenantId, email}).
 * @returns `no_customer` (unknown id, or deleted in Stripe), `already_matched` (the customer has a tenant), `no_tenant`
 *   (unknown or deleted tenant); nothing changed then
 */
export async function linkBillingCustomer(
  db: Db,
  ctx: AuditContext,
  input: { customerId: string; tenantId: string },
  now: Date,
): Promise<LinkCustomerResult> {
  return db.transaction().execute(async (trx) => {
    await lockBillingCustomer(trx, input.customerId)
    const customer = await findBillingCustomerForLink(trx, input.customerId)
    // A customer Stripe deleted bills nobody: nothing to link.
    if (!customer || customer.deleted) return { ok: false, reason: 'no_customer' } as const
    if (customer.tenantId !== null) return { ok: false, reason: 'already_matched' } as const
    const tenant = await findTenantById(trx, input.tenantId)
    if (!tenant || tenant.status === 'deleted') return { ok: false, reason: 'no_tenant' } as const

    await insertBillingCustomerLink(trx, {
      customerId: input.customerId,
      tenantId: tenant.id,
      linkedBy: ctx.actor?.id ?? null,
      linkedAt: now,
    })
    await attributeBillingCustomer(trx, input.customerId, {
      tenantId: tenant.id,
      matchedBy: 'link',
    })
    await refreshTenantBilling(trx, tenant.id)
    await appendAuditEntry(
      trx,
      ctx,
      {
        action: 'billing.customer.link',
        targetType: 'billing_customer',
        targetId: input.customerId,
        tenantId: tenant.id,
        before: { tenantId: null },
        after: { tenantId: tenant.id, email: customer.email },
      },
      now,
    )
    return { ok: true, tenantId: tenant.id } as const
  })
}
