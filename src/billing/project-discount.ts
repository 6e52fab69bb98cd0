import type { Db } from '../db/database.js'
import { ensureBillingCustomer, lockBillingCustomer } from '../db/billing-customer-writes.js'
import {
  listCouponCustomers,
  listSubscriptionsToReprice,
  updateSubscriptionPricing,
  upsertCoupon,
  upsertDiscount,
} from '../db/billing-discount-writes.js'
import { subscriptionMrrCents, type BillingItem } from './mrr.js'
import { readCustomerMrr, recordMrrMovements } from './record-movement.js'
import { parseStoredDiscounts, resolveDiscounts } from './resolve-discounts.js'
import { readCoupon, readDiscountEvent } from './stripe-shapes.js'
import { refreshTenantBilling } from './tenant-billing-refresh.js'

type Event = { id: string; type: string; created: Date; object: Record<string, unknown> }

/**
 * Re-prices a customer's stored subscriptions after a discount or coupon changed — the one named,
 * or all of the customer's when `subscriptionId` is null — through `resolveDiscounts`, records the
 * customer's MRR movements on `event` exactly as a subscription change does (its id and created:
 * the movements' unique key keeps reprocessing safe), and refreshes the tenants' columns. Runs
 * under the customer's lock, in the event's transaction.
 */
export async function repriceSubscriptions(
  trx: Db,
  event: { id: string; created: Date },
  customerId: string,
  subscriptionId: string | null,
): Promise<void> {
  const subs = await listSubscriptionsToReprice(trx, customerId, subscriptionId)
  if (subs.length === 0) return
  const customer = await ensureBillingCustomer(trx, customerId)
  const before = await readCustomerMrr(
    trx,
    customerId,
    subs.map((s) => s.currency),
  )
  for (const sub of subs) {
    const discounts = await resolveDiscounts(trx, customerId, parseStoredDiscounts(sub.discounts))
    const items = (Array.isArray(sub.items) ? sub.items : []) as BillingItem[]
    const mrrCents = subscriptionMrrCents({ ...sub, items, discounts })
    await updateSubscriptionPricing(trx, sub.subscriptionId, discounts, mrrCents)
  }
  await recordMrrMovements(trx, event, { id: customerId, tenantId: customer.tenantId }, before)
  await refreshTenantBilling(trx, customer.tenantId, ...subs.map((s) => s.tenantId))
}

/**
 * customer.discount.created / updated / deleted (issue 12 item 3): the Discount stored in
 * billing_discounts (an older event than the stored one changes nothing; deleted marks it
 * deleted), then the subscriptions it touches re-priced (`repriceSubscriptions`): the one it
 * names, or all of the customer's for a customer-wide discount. A subscription not stored yet
 * picks the discount up when it arrives.
 * @throws Error when the discount names no customer
 */
export async function projectDiscount(trx: Db, event: Event): Promise<void> {
  const discount = readDiscountEvent(event.object, event.type)
  if (!discount.customerId) throw new Error(`discount ${discount.id} names no customer`)
  if (!(await upsertDiscount(trx, discount, event.created))) return
  await repriceSubscriptions(trx, event, discount.customerId, discount.subscriptionId)
}

/**
 * coupon.created / updated / deleted: the coupon's amounts stored in billing_coupons (a discount
 * whose event named the coupon by id alone takes them; a deleted coupon's discounts keep applying,
 * as in Stripe), then every customer with a discount of it re-priced, each under its lock, taken
 * in id order before any tenant row is touched.
 */
export async function projectCoupon(trx: Db, event: Event): Promise<void> {
  const coupon = readCoupon(event.object)
  if (!(await upsertCoupon(trx, coupon, event.created))) return
  const customers = await listCouponCustomers(trx, coupon.id)
  for (const customerId of customers) await lockBillingCustomer(trx, customerId)
  for (const customerId of customers) await repriceSubscriptions(trx, event, customerId, null)
}
