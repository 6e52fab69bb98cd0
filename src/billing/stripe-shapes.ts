import type { BillingDiscount, BillingInterval, BillingItem } from './mrr.js'

// Stripe's objects, of any API version, read into the plain inputs the projection writes (issue
// 12 item 2). `billing:replay` takes real exports of any age, so each reader accepts the current
// shape (API 2025-03-31 "basil" and later: the period on subscription items, an invoice's
// subscription under `parent.subscription_details`, `discounts` as a list, a discount's coupon
// under `source.coupon` since 2025-09-30 "clover") AND the older one (`current_period_end` on the
// subscription, `invoice.subscription`, `subscription.discount`, `charge.invoice`). Times come in
// as Unix seconds and leave as Dates; amounts stay integer cents.

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
/** An expandable field: the id whether Stripe sent the id or the expanded object. */
export const idOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v.id) : null)
/** Unix seconds → Date; null for anything else. */
export const dateOf = (v: unknown): Date | null => {
  const n = num(v)
  return n === null ? null : new Date(n * 1000)
}

export type CardInput = {
  brand: string | null
  last4: string | null
  expMonth: number | null
  expYear: number | null
}

/** The card of a payment method object, or undefined when it is not a card. */
export function readCard(pm: unknown): CardInput | undefined {
  if (!isObj(pm) || !isObj(pm.card)) return undefined
  const c = pm.card
  return {
    brand: str(c.brand),
    last4: str(c.last4),
    expMonth: num(c.exp_month),
    expYear: num(c.exp_year),
  }
}

export type CustomerInput = {
  id: string
  email: string | null
  name: string | null
  metadataTenantId: string | null
  deleted: boolean
  created: Date | null
  defaultPaymentMethodId: string | null
  /** The default payment method's card when Stripe sent it expanded. */
  defaultCard: CardInput | undefined
}

export function readCustomer(o: Obj, eventType: string): CustomerInput {
  const settings = isObj(o.invoice_settings) ? o.invoice_settings : {}
  const metadata = isObj(o.metadata) ? o.metadata : {}
  return {
    id: String(o.id),
    email: str(o.email),
    name: str(o.name),
    metadataTenantId: str(metadata.tenant_id),
    deleted: o.deleted === true || eventType === 'customer.deleted',
    created: dateOf(o.created),
    defaultPaymentMethodId: idOf(settings.default_payment_method) ?? idOf(o.default_source),
    defaultCard: readCard(settings.default_payment_method),
  }
}

export type SubscriptionInput = {
  id: string
  customerId: string
  status: string
  currency: string
  items: BillingItem[]
  discounts: BillingDiscount[]
  currentPeriodEnd: Date | null
  cancelAtPeriodEnd: boolean
  canceledAt: Date | null
  trialEnd: Date | null
  startedAt: Date | null
}

const INTERVALS = new Set(['day', 'week', 'month', 'year'])

function readItem(item: Obj): BillingItem | undefined {
  const price = isObj(item.price) ? item.price : isObj(item.plan) ? item.plan : undefined
  if (!price) return undefined
  const recurring = isObj(price.recurring) ? price.recurring : price // old plans: interval on it
  const interval = str(recurring.interval)
  if (!interval || !INTERVALS.has(interval)) return undefined
  const unit =
    num(price.unit_amount) ??
    num(price.amount) ??
    Math.round(Number(price.unit_amount_decimal ?? 0))
  const product = isObj(price.product) ? str(price.product.name) : null
  return {
    priceId: str(price.id),
    productName: product ?? str(price.nickname),
    unitAmountCents: unit || 0,
    currency: String(price.currency ?? '').toLowerCase(),
    interval: interval as BillingInterval,
    intervalCount: num(recurring.interval_count) ?? 1,
    quantity: num(item.quantity) ?? 1,
  }
}

/** A discount's coupon object: old `coupon`, new `source.coupon` (an id unless expanded). */
function couponOf(d: Obj): { id: string | null; coupon: Obj | undefined } {
  const raw = d.coupon ?? (isObj(d.source) ? d.source.coupon : undefined)
  return { id: idOf(raw), coupon: isObj(raw) ? raw : undefined }
}

/**
 * One entry of `subscription.discounts` (or the old `subscription.discount`): a bare id (current
 * webhooks) becomes `{ id, percentOff: null, amountOffCents: null, currency: null }` for the
 * projection to resolve through billing_discounts; an object with its coupon expanded carries the
 * coupon's amounts (percent, or cents of the coupon's currency).
 */
function readDiscount(d: unknown): BillingDiscount | undefined {
  const id = str(d) ?? (isObj(d) ? str(d.id) : null)
  const coupon = isObj(d) ? couponOf(d).coupon : undefined
  if (!coupon && !id) return undefined
  return {
    ...(id ? { id } : {}),
    percentOff: coupon ? num(coupon.percent_off) : null,
    amountOffCents: coupon ? num(coupon.amount_off) : null,
    currency: (coupon && str(coupon.currency)?.toLowerCase()) ?? null,
  }
}

export type CouponInput = {
  id: string
  percentOff: number | null
  /** Cents of `currency`. */
  amountOffCents: number | null
  currency: string | null
}

/** The Coupon object of coupon.created / updated / deleted. */
export function readCoupon(o: Obj): CouponInput {
  return {
    id: String(o.id),
    percentOff: num(o.percent_off),
    amountOffCents: num(o.amount_off),
    currency: str(o.currency)?.toLowerCase() ?? null,
  }
}

export type DiscountInput = {
  id: string
  customerId: string
  /** The subscription it applies to; null for a customer-wide discount. */
  subscriptionId: string | null
  couponId: string | null
  percentOff: number | null
  /** Cents of `currency`. */
  amountOffCents: number | null
  currency: string | null
  deleted: boolean
}

/**
 * The Discount object of customer.discount.created / updated / deleted (old API: `coupon` object;
 * 2025-09-30 and later: `source.coupon`, an id unless expanded, then amounts are null).
 */
export function readDiscountEvent(o: Obj, eventType: string): DiscountInput {
  const { id: couponId, coupon } = couponOf(o)
  return {
    id: String(o.id),
    customerId: idOf(o.customer) ?? '',
    subscriptionId: idOf(o.subscription),
    couponId,
    percentOff: coupon ? num(coupon.percent_off) : null,
    amountOffCents: coupon ? num(coupon.amount_off) : null,
    currency: (coupon && str(coupon.currency)?.toLowerCase()) ?? null,
    deleted: eventType === 'customer.discount.deleted',
  }
}

export function readSubscription(o: Obj): SubscriptionInput {
  const list = isObj(o.items) && Array.isArray(o.items.data) ? (o.items.data as unknown[]) : []
  const items = list
    .filter(isObj)
    .map(readItem)
    .filter((i): i is BillingItem => i !== undefined)
  const first = list.find(isObj)
  const rawDiscounts = Array.isArray(o.discounts) ? o.discounts : o.discount ? [o.discount] : []
  const discounts = rawDiscounts
    .map(readDiscount)
    .filter((d): d is BillingDiscount => d !== undefined)
  return {
    id: String(o.id),
    customerId: idOf(o.customer) ?? '',
    status: str(o.status) ?? 'incomplete',
    currency: (str(o.currency) ?? items[0]?.currency ?? 'usd').toLowerCase(),
    items,
    discounts,
    currentPeriodEnd: dateOf(first?.current_period_end) ?? dateOf(o.current_period_end),
    cancelAtPeriodEnd: o.cancel_at_period_end === true,
    canceledAt: dateOf(o.canceled_at),
    trialEnd: dateOf(o.trial_end),
    startedAt: dateOf(o.start_date) ?? dateOf(o.created),
  }
}

export type InvoiceInput = {
  id: string
  customerId: string
  subscriptionId: string | null
  number: string | null
  status: string
  amountDue: number
  amountPaid: number
  currency: string
  created: Date
  dueDate: Date | null
  paidAt: Date | null
  paidOutOfBand: boolean
  attemptCount: number
  nextPaymentAttempt: Date | null
  hostedInvoiceUrl: string | null
  invoicePdf: string | null
  paymentIntentId: string | null
  chargeId: string | null
}

export function readInvoice(o: Obj, eventCreated: Date): InvoiceInput {
  const parent = isObj(o.parent) ? o.parent : {}
  const details = isObj(parent.subscription_details) ? parent.subscription_details : {}
  const transitions = isObj(o.status_transitions) ? o.status_transitions : {}
  return {
    id: String(o.id),
    customerId: idOf(o.customer) ?? '',
    subscriptionId: idOf(details.subscription) ?? idOf(o.subscription),
    number: str(o.number),
    status: str(o.status) ?? 'draft',
    amountDue: num(o.amount_due) ?? 0,
    amountPaid: num(o.amount_paid) ?? 0,
    currency: (str(o.currency) ?? 'usd').toLowerCase(),
    created: dateOf(o.created) ?? eventCreated,
    dueDate: dateOf(o.due_date),
    paidAt: dateOf(transitions.paid_at),
    paidOutOfBand: o.paid_out_of_band === true,
    attemptCount: num(o.attempt_count) ?? 0,
    nextPaymentAttempt: dateOf(o.next_payment_attempt),
    hostedInvoiceUrl: str(o.hosted_invoice_url),
    invoicePdf: str(o.invoice_pdf),
    paymentIntentId: idOf(o.payment_intent),
    chargeId: idOf(o.charge),
  }
}

export type ChargeInput = {
  id: string
  customerId: string | null
  invoiceId: string | null
  paymentIntentId: string | null
  amountRefunded: number
}

export function readCharge(o: Obj): ChargeInput {
  return {
    id: String(o.id),
    customerId: idOf(o.customer),
    invoiceId: idOf(o.invoice),
    paymentIntentId: idOf(o.payment_intent),
    amountRefunded: num(o.amount_refunded) ?? 0,
  }
}

/** The customer an event's object belongs to: the lock key of its processing. */
export function customerIdOf(type: string, o: Obj): string | null {
  if (type.startsWith('customer.') && !type.startsWith('customer.subscription.')) {
    return str(o.object) === 'customer' ? idOf(o.id) : idOf(o.customer)
  }
  return idOf(o.customer)
}
