import { randomBytes } from 'node:crypto'

// Stripe-shaped objects and events as Stripe's API reference describes them (API version
// 2025-03-31 "basil" and later: the billing period on subscription items, an invoice's
// subscription under parent.subscription_details, discounts as a list). The demo fleet's events,
// the fake Stripe API of the tests and the tests themselves build them here, so every producer
// agrees on one shape. Times are Unix seconds, as in Stripe's payloads; amounts are cents.

export const STRIPE_API_VERSION = '2026-10-28.endive'

/** `prefix_` and 24 random base62-ish characters, like Stripe's ids. */
export function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x').slice(0, 24)}`
}

export type StripeObject = Record<string, unknown> & { id: string; object: string }

export type StripeEvent = {
  id: string
  object: 'event'
  api_version: string
  created: number
  livemode: false
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  type: string
  data: { object: StripeObject; previous_attributes?: Record<string, unknown> }
}

/** An event of `type` carrying `object`, created at `created` (Unix seconds). */
export function stripeEvent(
  type: string,
  object: StripeObject,
  created: number,
  previousAttributes?: Record<string, unknown>,
): StripeEvent {
  return {
    id: stripeId('evt'),
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: previousAttributes ? { object, previous_attributes: previousAttributes } : { object },
  }
}

export function customerObject(o: {
  id?: string
  email: string
  name: string
  tenantId?: string
  created: number
  defaultPaymentMethod?: string | null
}): StripeObject {
  return {
    id: o.id ?? stripeId('cus'),
    object: 'customer',
    created: o.created,
    email: o.email,
    name: o.name,
    livemode: false,
    metadata: o.tenantId ? { tenant_id: o.tenantId } : {},
    invoice_settings: { default_payment_method: o.defaultPaymentMethod ?? null },
    currency: null,
    delinquent: false,
  }
}

export function cardPaymentMethodObject(o: {
  id?: string
  customer: string
  brand: string
  last4: string
  expMonth: number
  expYear: number
  created: number
}): StripeObject {
  return {
    id: o.id ?? stripeId('pm'),
    object: 'payment_method',
    type: 'card',
    created: o.created,
    customer: o.customer,
    livemode: false,
    card: { brand: o.brand, last4: o.last4, exp_month: o.expMonth, exp_year: o.expYear },
    metadata: {},
  }
}

export type PriceInput = {
  id?: string
  productName: string
  unitAmount: number
  currency: string
  interval: 'day' | 'week' | 'month' | 'year'
  intervalCount?: number
}

export function priceObject(p: PriceInput): StripeObject {
  return {
    id: p.id ?? stripeId('price'),
    object: 'price',
    active: true,
    currency: p.currency,
    nickname: p.productName,
    product: {
      id: `prod_${p.productName.toLowerCase().replace(/\W+/g, '_')}`,
      name: p.productName,
    },
    recurring: {
      interval: p.interval,
      interval_count: p.intervalCount ?? 1,
      usage_type: 'licensed',
    },
    type: 'recurring',
    unit_amount: p.unitAmount,
  }
}

/** A coupon discount: `percentOff` (0–100) or `amountOff` cents in `currency`. */
export function discountObject(d: {
  percentOff?: number
  amountOff?: number
  currency?: string
  subscription?: string
  customer: string
}): StripeObject {
  return {
    id: stripeId('di'),
    object: 'discount',
    customer: d.customer,
    subscription: d.subscription ?? null,
    coupon: {
      id: stripeId('co'),
      object: 'coupon',
      percent_off: d.percentOff ?? null,
      amount_off: d.amountOff ?? null,
      currency: d.amountOff !== undefined ? (d.currency ?? null) : null,
      duration: 'forever',
      valid: true,
    },
    start: 0,
    end: null,
  }
}

export function subscriptionObject(s: {
  id?: string
  customer: string
  status: string
  price: PriceInput & { id: string }
  quantity?: number
  created: number
  currentPeriodStart: number
  currentPeriodEnd: number
  trialEnd?: number | null
  cancelAtPeriodEnd?: boolean
  canceledAt?: number | null
  discounts?: StripeObject[]
}): StripeObject {
  const id = s.id ?? stripeId('sub')
  return {
    id,
    object: 'subscription',
    customer: s.customer,
    status: s.status,
    created: s.created,
    start_date: s.created,
    currency: s.price.currency,
    cancel_at_period_end: s.cancelAtPeriodEnd ?? false,
    canceled_at: s.canceledAt ?? null,
    ended_at: s.status === 'canceled' ? (s.canceledAt ?? null) : null,
    trial_end: s.trialEnd ?? null,
    livemode: false,
    metadata: {},
    discounts: s.discounts ?? [],
    items: {
      object: 'list',
      data: [
        {
          id: stripeId('si'),
          object: 'subscription_item',
          subscription: id,
          price: priceObject(s.price),
          quantity: s.quantity ?? 1,
          current_period_start: s.currentPeriodStart,
          current_period_end: s.currentPeriodEnd,
          discounts: [],
        },
      ],
      has_more: false,
    },
  }
}

export function invoiceObject(i: {
  id?: string
  customer: string
  subscription: string | null
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'
  amountDue: number
  amountPaid?: number
  currency: string
  created: number
  number?: string | null
  dueDate?: number | null
  paidAt?: number | null
  paidOutOfBand?: boolean
  attemptCount?: number
  nextPaymentAttempt?: number | null
}): StripeObject {
  const id = i.id ?? stripeId('in')
  const paidAt = i.paidAt ?? null
  return {
    id,
    object: 'invoice',
    customer: i.customer,
    status: i.status,
    number: i.number ?? null,
    currency: i.currency,
    created: i.created,
    due_date: i.dueDate ?? null,
    amount_due: i.amountDue,
    amount_paid: i.amountPaid ?? (i.status === 'paid' ? i.amountDue : 0),
    amount_remaining: i.status === 'paid' ? 0 : i.amountDue - (i.amountPaid ?? 0),
    attempt_count: i.attemptCount ?? 0,
    attempted: (i.attemptCount ?? 0) > 0,
    next_payment_attempt: i.nextPaymentAttempt ?? null,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    hosted_invoice_url: i.number ? `https://invoice.stripe.com/i/acct_demo/${id}` : null,
    invoice_pdf: i.number ? `https://pay.stripe.com/invoice/acct_demo/${id}/pdf` : null,
    livemode: false,
    metadata: {},
    parent: i.subscription
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: { subscription: i.subscription, metadata: {} },
        }
      : null,
    status_transitions: {
      finalized_at: i.status === 'draft' ? null : i.created,
      paid_at: paidAt,
      voided_at: null,
      marked_uncollectible_at: null,
    },
    paid_out_of_band: i.paidOutOfBand ?? false,
  }
}

export function refundedChargeObject(c: {
  id?: string
  customer: string
  invoice: string | null
  amount: number
  amountRefunded: number
  currency: string
  created: number
}): StripeObject {
  return {
    id: c.id ?? stripeId('ch'),
    object: 'charge',
    customer: c.customer,
    invoice: c.invoice,
    amount: c.amount,
    amount_refunded: c.amountRefunded,
    currency: c.currency,
    created: c.created,
    refunded: c.amountRefunded >= c.amount,
    paid: true,
    status: 'succeeded',
    livemode: false,
    metadata: {},
  }
}
