import type { DiscountInput } from '../billing/stripe-shapes.js'
import type { Db } from './database.js'

// billing_discounts (issue 12, migration 2026120510): Stripe's Discount objects as the
// customer.discount.* events deliver them, read back to resolve a subscription's discount ids.

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

const COLUMNS = [
  'id',
  'subscription_id',
  'percent_off',
  'amount_off_cents',
  'currency',
  'deleted',
] as const

function toStored(row: {
  id: string
  subscription_id: string | null
  percent_off: string | number | null
  amount_off_cents: number | null
  currency: string | null
  deleted: boolean
}): StoredDiscount {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    // numeric comes back as a string on PostgreSQL
    percentOff: row.percent_off === null ? null : Number(row.percent_off),
    amountOffCents: row.amount_off_cents === null ? null : Number(row.amount_off_cents),
    currency: row.currency,
    deleted: row.deleted,
  }
}

/** The stored discounts among `ids`, deleted ones included, by id. */
export async function findDiscounts(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, StoredDiscount>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('billing_discounts')
    .select(COLUMNS)
    .where('id', 'in', ids)
    .execute()
  return new Map(rows.map((r) => [r.id, toStored(r)]))
}

/** The customer's customer-wide discounts (subscription null), not deleted, oldest first. */
export async function listCustomerWideDiscounts(
  db: Db,
  customerId: string,
): Promise<StoredDiscount[]> {
  const rows = await db
    .selectFrom('billing_discounts')
    .select(COLUMNS)
    .where('customer_id', '=', customerId)
    .where('subscription_id', 'is', null)
    .where('deleted', '=', false)
    .orderBy('source_created')
    .orderBy('id')
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
