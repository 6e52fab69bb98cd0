import type { Db } from '../db/database.js'
import { ensureBillingCustomer } from '../db/billing-customer-writes.js'
import { recordInvoiceRefund, upsertInvoice } from '../db/billing-invoice-writes.js'
import { refreshSubscriptionDunning } from '../db/billing-subscription-writes.js'
import { readCharge, readInvoice } from './stripe-shapes.js'
import { StripeEventNotReady } from './stripe-event-not-ready.js'
import { refreshTenantBilling } from './tenant-billing-refresh.js'

type Event = { type: string; created: Date; object: Record<string, unknown> }

/**
 * invoice.*: the invoice's state unless a newer event was applied; an invoice.payment_failed
 * starts its dunning window (`first_failed_at` = the event's created, the first one kept); then
 * its subscription's dunning and the tenant's columns.
 * @throws Error when the invoice names no customer
 */
export async function projectInvoice(trx: Db, event: Event): Promise<void> {
  const invoice = readInvoice(event.object, event.created)
  if (!invoice.customerId) throw new Error(`invoice ${invoice.id} names no customer`)
  const customer = await ensureBillingCustomer(trx, invoice.customerId)
  const failedAt = event.type === 'invoice.payment_failed' ? event.created : null
  await upsertInvoice(trx, invoice, {
    tenantId: customer.tenantId,
    created: event.created,
    failedAt,
  })
  if (!invoice.subscriptionId) return
  const sub = await refreshSubscriptionDunning(trx, invoice.subscriptionId)
  if (sub) await refreshTenantBilling(trx, sub.tenantId)
}

/**
 * charge.refunded: the refunded total on the charge's invoice.
 * @throws StripeEventNotReady when no stored invoice matches (its invoice not seen yet: Stripe does
 *   not order deliveries): the event stays pending for the sweep, and is given up 24 h after it was
 *   received (a one-off payment's refund, or an invoice that never comes)
 */
export async function projectRefund(trx: Db, event: Event): Promise<void> {
  const invoice = await recordInvoiceRefund(trx, readCharge(event.object))
  if (!invoice) throw new StripeEventNotReady('refund for an unknown invoice')
}
