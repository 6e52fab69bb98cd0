import type { CouponInput, DiscountInput } from '../billing/stripe-shapes.js'
import type { Db } from './database.js'

// billing_discounts and billing_coupons (issue 12, migration 2026120510): Stripe's Discount
// objects as customer.discount.* events deliver them, and the coupons' amounts from coupon.*,
// read back to resolve a subscription's discount ids.

export type StoredDiscount = {
  id: string
  subscriptionId: string | null
  /** Percent, 0–100. */
  percentOff: number | null
  /** Cents of `currency`. */
  amountOffCents: number | null
  currency: string | null
  deleted: boolean
}

/**
 * Inserts or replaces a discount with an event's state unless the stored row comes from a newer
 * event (`source_created` > `created`; equal seconds apply, as for subscriptions). A deletion is a
 * row marked `deleted`, so an older `created` delivered late cannot revive it.
 * @returns false when the event was older and nothing was written
 */
export async function upsertDiscount(db: Db, d: DiscountInput, created: Date): Promise<boolean> {
  const values = {
    id: d.id,
    customer_id: d.customerId,
    subscription_id: d.subscriptionId,
    coupon_id: d.couponId,
    percent_off: d.percentOff,
    amount_off_cents: d.amountOffCents,
    currency: d.currency,
    deleted: d.deleted,
    source_created: created,
  }
  const { id: _, ...update } = values
  const rows = await db
    .insertInto('billing_discounts')
    .values(values)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet(update).where('billing_discounts.source_created', '<=', created),
    )
    .returning('id')
    .execute()
  return rows.length === 1
}

/**
 * Inserts or updates a coupon's amounts (coupon.* events) unless the stored row is newer.
 * @returns false when the event was older and nothing was written
 */
export async function upsertCoupon(db: Db, c: CouponInput, created: Date): Promise<boolean> {
  const values = {
    id: c.id,
    percent_off: c.percentOff,
    amount_off_cents: c.amountOffCents,
    currency: c.currency,
    source_created: created,
  }
  const { id: _, ...update } = values
  const rows = await db
    .insertInto('billing_coupons')
    .values(values)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet(update).where('billing_coupons.source_created', '<=', created),
    )
    .returning('id')
    .execute()
  return rows.length === 1
}

/** The customers with a discount (not deleted) of `couponId`, sorted (their lock order). */
export async function listCouponCustomers(db: Db, couponId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('billing_discounts')
    .select('customer_id')
    .distinct()
    .where('coupon_id', '=', couponId)
    .where('deleted', '=', false)
    .orderBy('customer_id')
    .execute()
  return rows.map((r) => r.customer_id)
}

/** Discounts joined to their coupons: a discount without amounts of its own takes its coupon's. */
function selectDiscounts(db: Db) {
  return db
    .selectFrom('billing_discounts as d')
    .leftJoin('billing_coupons as c', 'c.id', 'd.coupon_id')
    .select([
      'd.id',
      'd.subscription_id',
      'd.deleted',
      'd.percent_off',
      'd.amount_off_cents',
      'd.currency',
      'c.percent_off as coupon_percent_off',
      'c.amount_off_cents as coupon_amount_off_cents',
      'c.currency as coupon_currency',
    ])
}

const numberOrNull = (v: string | number | null): number | null => (v === null ? null : Number(v))

function toStored(row: {
  id: string
  subscription_id: string | null
  deleted: boolean
  percent_off: string | number | null
  amount_off_cents: number | null
  currency: string | null
  coupon_percent_off: string | number | null
  coupon_amount_off_cents: number | null
  coupon_currency: string | null
}): StoredDiscount {
  const own = row.percent_off !== null || row.amount_off_cents !== null
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    // numeric comes back as a string on PostgreSQL
    percentOff: numberOrNull(own ? row.percent_off : row.coupon_percent_off),
    amountOffCents: numberOrNull(own ? row.amount_off_cents : row.coupon_amount_off_cents),
    currency: own ? row.currency : row.coupon_currency,
    deleted: row.deleted,
  }
}

/** The stored discounts among `ids`, deleted ones included, by id (amounts as `toStored`). */
export async function findDiscounts(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, StoredDiscount>> {
  if (ids.length === 0) return new Map()
  const rows = await selectDiscounts(db).where('d.id', 'in', ids).execute()
  return new Map(rows.map((r) => [r.id, toStored(r)]))
}

/** The customer's customer-wide discounts (subscription null), not deleted, oldest first. */
export async function listCustomerWideDiscounts(
  db: Db,
  customerId: string,
): Promise<StoredDiscount[]> {
  const rows = await selectDiscounts(db)
    .where('d.customer_id', '=', customerId)
    .where('d.subscription_id', 'is', null)
    .where('d.deleted', '=', false)
    .orderBy('d.source_created')
    .orderBy('d.id')
    .execute()
  return rows.map(toStored)
}

/** What re-pricing a stored subscription reads: its MRR inputs as saas_billing keeps them. */
export type SubscriptionPricing = {
  subscriptionId: string
  tenantId: string | null
  status: string
  currency: string
  items: unknown
  discounts: unknown
}

/**
 * The customer's stored subscriptions to re-price after a discount changed: the one named, or
 * all of the customer's when `subscriptionId` is null. Locks them (for update).
 */
export async function listSubscriptionsToReprice(
  db: Db,
  customerId: string,
  subscriptionId: string | null,
): Promise<SubscriptionPricing[]> {
  let query = db
    .selectFrom('saas_billing')
    .select(['subscription_id', 'tenant_id', 'status', 'currency', 'items', 'discounts'])
    .where('customer_id', '=', customerId)
  if (subscriptionId) query = query.where('subscription_id', '=', subscriptionId)
  const rows = await query.orderBy('subscription_id').forUpdate().execute()
  return rows.map((r) => ({
    subscriptionId: r.subscription_id,
    tenantId: r.tenant_id,
    status: r.status,
    currency: r.currency,
    items: r.items,
    discounts: r.discounts,
  }))
}

/**
 * A subscription's resolved discounts (BillingDiscount[] json) and its MRR (cents) written back,
 * its `source_created` untouched (that is the subscription's own event order).
 */
export async function updateSubscriptionPricing(
  db: Db,
  subscriptionId: string,
  discounts: unknown[],
  mrrCents: number,
): Promise<void> {
  await db
    .updateTable('saas_billing')
    .set({ discounts: JSON.stringify(discounts), mrr_cents: mrrCents })
    .where('subscription_id', '=', subscriptionId)
    .execute()
}
