import type { Db } from '../db/database.js'
import { ensureBillingCustomer } from '../db/billing-customer-writes.js'
import {
  findSubscriptionVersion,
  refreshSubscriptionDunning,
  upsertSubscription,
} from '../db/billing-subscription-writes.js'
import { subscriptionMrrCents } from './mrr.js'
import { readCustomerMrr, recordMrrMovements } from './record-movement.js'
import { resolveDiscounts } from './resolve-discounts.js'
import { readSubscription } from './stripe-shapes.js'
import { refreshTenantBilling } from './tenant-billing-refresh.js'

type Event = { id: string; created: Date; object: Record<string, unknown> }

/**
 * customer.subscription.*: the subscription's state and MRR (`subscriptionMrrCents`, its
 * discount ids resolved by `resolveDiscounts`) unless a
 * newer event was applied to it; the customer's MRR movements it made; its dunning (the latest
 * invoice, cleared when canceled); and the tenant's columns.
 * @throws Error when the subscription names no customer
 */
export async function projectSubscription(trx: Db, event: Event): Promise<void> {
  const sub = readSubscription(event.object)
  if (!sub.customerId) throw new Error(`subscription ${sub.id} names no customer`)
  const customer = await ensureBillingCustomer(trx, sub.customerId)
  const existing = await findSubscriptionVersion(trx, sub.id)
  if (existing && existing.sourceCreated > event.created) return
  const currencies = existing ? [existing.currency, sub.currency] : [sub.currency]
  const before = await readCustomerMrr(trx, sub.customerId, currencies)
  // Current webhooks list discount ids only: their amounts come from customer.discount.* events.
  sub.discounts = await resolveDiscounts(trx, sub.customerId, sub.discounts)
  const mrrCents = subscriptionMrrCents(sub)
  await upsertSubscription(trx, sub, {
    tenantId: customer.tenantId,
    mrrCents,
    created: event.created,
  })
  await recordMrrMovements(trx, event, { id: sub.customerId, tenantId: customer.tenantId }, before)
  await refreshSubscriptionDunning(trx, sub.id)
  await refreshTenantBilling(trx, customer.tenantId, existing?.tenantId ?? null)
}
