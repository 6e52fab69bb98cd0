import {
  cardPaymentMethodObject,
  customerObject,
  invoiceObject,
  stripeEvent,
  stripeId,
  subscriptionObject,
  type StripeEvent,
  type StripeObject,
} from '../../billing/stripe-builders.js'
import type { Tenant } from '../../db/tenants.js'
import { uniqueSuffix } from '../../test-support/factories.js'

// A tenant's Stripe history as events, for the Billing tab's tests and the browser story: a
// customer with metadata.tenant_id and a Visa card, a past-due Professional subscription (2 seats
// at €49/month), last month's paid invoice and this month's open invoice whose first charge
// failed `failedDaysAgo` days ago (its dunning window's start).

const DAY = 86_400

export type DunningScene = {
  customer: StripeObject
  subscription: StripeObject
  paidInvoice: StripeObject
  openInvoice: StripeObject
  /** In Stripe's order; deliver them all through the endpoint. */
  events: StripeEvent[]
}

/** Events that put `tenant` in dunning since `failedDaysAgo` days before `nowSeconds`. */
export function dunningScene(
  tenant: Pick<Tenant, 'id' | 'name' | 'billingEmail'>,
  nowSeconds: number,
  failedDaysAgo = 2,
): DunningScene {
  const suffix = uniqueSuffix()
  const start = nowSeconds - 90 * DAY
  const failedAt = nowSeconds - failedDaysAgo * DAY
  const customer = customerObject({
    email: tenant.billingEmail,
    name: tenant.name,
    tenantId: tenant.id,
    created: start,
  })
  const card = cardPaymentMethodObject({
    customer: customer.id,
    brand: 'visa',
    last4: '4242',
    expMonth: 12,
    expYear: 2030,
    created: start,
  })
  const price = {
    id: stripeId('price'),
    productName: 'Professional',
    unitAmount: 4900,
    currency: 'eur',
    interval: 'month' as const,
  }
  const periodStart = failedAt - 3600
  const subscriptionId = stripeId('sub')
  const sub = (status: string) =>
    subscriptionObject({
      id: subscriptionId,
      customer: customer.id,
      status,
      price,
      quantity: 2,
      created: start,
      currentPeriodStart: periodStart,
      currentPeriodEnd: periodStart + 30 * DAY,
    })
  const invoice = (o: { number: string; status: 'open' | 'paid'; created: number }) =>
    invoiceObject({
      customer: customer.id,
      subscription: subscriptionId,
      status: o.status,
      amountDue: 9800,
      currency: 'eur',
      created: o.created,
      number: o.number,
      paidAt: o.status === 'paid' ? o.created : null,
      attemptCount: 1,
      nextPaymentAttempt: o.status === 'open' ? failedAt + 3 * DAY : null,
    })
  const paidInvoice = invoice({
    number: `INV-${suffix}-0001`,
    status: 'paid',
    created: periodStart - 30 * DAY,
  })
  const openInvoice = invoice({
    number: `INV-${suffix}-0002`,
    status: 'open',
    created: periodStart,
  })
  const events = [
    stripeEvent('customer.created', customer, start),
    stripeEvent('payment_method.attached', card, start + 1),
    stripeEvent('customer.subscription.created', sub('active'), start + 2),
    stripeEvent('invoice.paid', paidInvoice, periodStart - 30 * DAY),
    stripeEvent('invoice.finalized', openInvoice, periodStart),
    stripeEvent('invoice.payment_failed', openInvoice, failedAt),
    stripeEvent('customer.subscription.updated', sub('past_due'), failedAt + 1, {
      status: 'active',
    }),
  ]
  return { customer, subscription: sub('past_due'), paidInvoice, openInvoice, events }
}
