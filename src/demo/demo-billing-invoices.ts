import { invoiceObject } from '../billing/stripe-builders.js'
import { DAY, emit, HOUR, MINUTE, newId, type StoryContext } from './demo-billing-context.js'
import { invoiceAmountCents, type DemoCoupon, type DemoPrice } from './demo-billing-prices.js'

// A billing period's invoice as Stripe reports it (issue 12 item 6): created a minute into the
// period, finalized an hour later, then paid — or, for a past-due subscription, failed, with
// Stripe's retries every 3 days while they fall before "now". Times are Unix seconds.

/** What the invoice needs of its subscription: the price, seats and coupon of the period. */
export type InvoicedSubscription = {
  id: string
  price: DemoPrice
  quantity: number
  coupon?: DemoCoupon
}

/**
 * Appends the period's invoice events; `onFirstFailure(at)` is called once, at the first failure,
 * for the subscription to turn past_due.
 */
export function invoicePeriod(
  ctx: StoryContext,
  s: InvoicedSubscription,
  start: number,
  fail: boolean,
  onFirstFailure: (at: number) => void,
): void {
  const amountDue = invoiceAmountCents(s.price, s.quantity, s.coupon)
  const base = {
    id: newId(ctx, 'in'),
    customer: ctx.customer,
    subscription: s.id,
    amountDue,
    currency: s.price.currency,
    created: start + MINUTE,
  }
  emit(ctx, 'invoice.created', invoiceObject({ ...base, status: 'draft' }), base.created)
  const number = `${ctx.invoices.prefix}-${String(++ctx.invoices.count).padStart(4, '0')}`
  const open = { ...base, number, status: 'open' as const }
  emit(ctx, 'invoice.finalized', invoiceObject(open), start + HOUR)
  const settledAt = start + HOUR + ctx.r.number.int({ min: 30, max: 900 })
  if (!fail) {
    const paid = { ...open, status: 'paid' as const, paidAt: settledAt, attemptCount: 1 }
    emit(ctx, 'invoice.paid', invoiceObject(paid), settledAt)
    ctx.paid.push({ id: base.id, amount: amountDue, currency: base.currency, paidAt: settledAt })
    return
  }
  // Stripe's smart retries: another attempt a few days later, which fails again if it is due.
  for (let attempt = 1, at = settledAt; at <= ctx.now; attempt++, at += 3 * DAY) {
    const next = at + 3 * DAY
    const failed = { ...open, attemptCount: attempt, nextPaymentAttempt: next }
    emit(ctx, 'invoice.payment_failed', invoiceObject(failed), at)
    if (attempt === 1) onFirstFailure(at + 1)
  }
}
