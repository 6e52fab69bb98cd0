import type { Db } from '../db/database.js'
import { ensureBillingCustomer } from '../db/billing-customer-writes.js'
import {
  listSubscriptionsToReprice,
  updateSubscriptionPricing,
  upsertDiscount,
} from '../db/billing-discount-writes.js'
import { subscriptionMrrCents, type BillingItem } from './mrr.js'
import { readCustomerMrr, recordMrrMovements } from './record-movement.js'
import { parseStoredDiscounts, resolveDiscounts } from './resolve-discounts.js'
import { readDiscountEvent } from './stripe-shapes.js'
import { refreshTenantBilling } from './tenant-billing-refresh.js'

type Event = { id: string; type: string; created: Date; object: Record<string, unknown> }

/**
 * customer.discount.created / updated / deleted (issue 12 item 3): the Discount stored in
 * billing_discounts (an older event than the stored one changes nothing; deleted marks it
 * deleted), then the MRR of the subscriptions it touches recomputed through `resolveDiscounts` —
 * the one it names, or all of the customer's for a customer-wide discount — with the customer's
 * MRR movements recorded as a subscription change records them (this event's id and created), and
 * the tenant's columns refreshed. A subscription not stored yet picks the discount up when it
 * arrives.
 * @throws Error when the discount names no customer
 */
export async function projectDiscount(trx: Db, event: Event): Promise<void> {
  const discount = readDiscountEvent(event.object, event.type)
  if (!discount.customerId) throw new Error(`discount ${discount.id} names no customer`)
  if (!(await upsertDiscount(trx, discount, event.created))) return
  const subs = await listSubscriptionsToReprice(trx, discount.customerId, discount.subscriptionId)
  if (subs.length === 0) return
  const customer = await ensureBillingCustomer(trx, discount.customerId)
  const before = await readCustomerMrr(
    trx,
    discount.customerId,
    subs.map((s) => s.currency),
  )
  for (const sub of subs) {
    const discounts = await resolveDiscounts(
      trx,
      discount.customerId,
      parseStoredDiscounts(sub.discounts),
    )
    const items = (Array.isArray(sub.items) ? sub.items : []) as BillingItem[]
    const mrrCents = subscriptionMrrCents({ ...sub, items, discounts })
    await updateSubscriptionPricing(trx, sub.subscriptionId, discounts, mrrCents)
  }
  await recordMrrMovements(
    trx,
    event,
    { id: discount.customerId, tenantId: customer.tenantId },
    before,
  )
  await refreshTenantBilling(trx, customer.tenantId, ...subs.map((s) => s.tenantId))
}
