import type { Db } from '../db/database.js'
import {
  findDiscounts,
  listCustomerWideDiscounts,
  type StoredDiscount,
} from '../db/billing-discount-writes.js'
import type { BillingDiscount } from './mrr.js'

const fromStored = (d: StoredDiscount, customerWide: boolean): BillingDiscount => ({
  id: d.id,
  ...(customerWide ? { customerWide: true } : {}),
  percentOff: d.percentOff,
  amountOffCents: d.amountOffCents,
  currency: d.currency,
})

/**
 * The discounts a subscription's MRR counts (issue 12 item 3, "percentage and amount discounts"),
 * from what its event listed (`discounts`, or what saas_billing kept, re-resolved):
 * - each entry with an id takes its amounts from billing_discounts when that discount is stored
 *   (its coupon's when the discount event named the coupon by id), and is dropped when that
 *   discount is deleted; an id not stored yet keeps what it had (both amounts null for a bare id,
 *   taking nothing off until its event arrives; the coupon's for an expanded object);
 * - when the subscription has no discount of its own left (none listed, or all deleted), the
 *   customer's customer-wide discounts apply, marked `customerWide` (Stripe: "a discount applied
 *   to a subscription overrides a discount applied on a customer-wide basis").
 * Entries marked `customerWide` in the input are dropped and recomputed. Whichever arrives first,
 * the subscription or its discount's event, the result is the same once both are in.
 */
export async function resolveDiscounts(
  trx: Db,
  customerId: string,
  listed: readonly BillingDiscount[],
): Promise<BillingDiscount[]> {
  const own = listed.filter((d) => !d.customerWide)
  const stored = await findDiscounts(
    trx,
    own.flatMap((d) => (d.id ? [d.id] : [])),
  )
  const resolved = own.flatMap((d) => {
    const row = d.id ? stored.get(d.id) : undefined
    if (!row) return [d]
    return row.deleted ? [] : [fromStored(row, false)]
  })
  if (resolved.length > 0) return resolved
  const wide = await listCustomerWideDiscounts(trx, customerId)
  return wide.map((d) => fromStored(d, true))
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** saas_billing.discounts json read back as BillingDiscount[] (anything malformed is dropped). */
export function parseStoredDiscounts(json: unknown): BillingDiscount[] {
  if (!Array.isArray(json)) return []
  return json.filter(isObj).map((d) => ({
    ...(typeof d.id === 'string' ? { id: d.id } : {}),
    ...(d.customerWide === true ? { customerWide: true } : {}),
    percentOff: typeof d.percentOff === 'number' ? d.percentOff : null,
    amountOffCents: typeof d.amountOffCents === 'number' ? d.amountOffCents : null,
    currency: typeof d.currency === 'string' ? d.currency : null,
  }))
}
