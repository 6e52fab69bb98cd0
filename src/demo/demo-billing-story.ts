import {
  cardPaymentMethodObject,
  customerObject,
  refundedChargeObject,
  type StripeEvent,
} from '../billing/stripe-builders.js'
import { DAY, emit, MINUTE, newId, type StoryContext } from './demo-billing-context.js'
import { runSubscription, type SubscriptionPlan } from './demo-billing-subscription.js'

// One Stripe customer's history as the events Stripe would have sent: the customer and its card,
// then each subscription's life (demo-billing-subscription.ts), then maybe a refund. Times are
// Unix seconds; every event of one customer has its own second, so `created` orders them.

export type CustomerStory = {
  email: string
  name: string
  /** Put in metadata.tenant_id; absent = matched by billing email, or not at all. */
  tenantId?: string
  /** When the customer was created (Unix s). */
  createdAt: number
  subscriptions: SubscriptionPlan[]
  /** Refund one paid invoice in full or half of it (charge.refunded). */
  refund?: 'full' | 'partial'
}

/** The events of one customer's story, in the order they happened. */
export function writeCustomerStory(ctx: StoryContext, story: CustomerStory): StripeEvent[] {
  const base = { id: ctx.customer, email: story.email, name: story.name, tenantId: story.tenantId }
  emit(
    ctx,
    'customer.created',
    customerObject({ ...base, created: story.createdAt }),
    story.createdAt,
  )
  const card = cardPaymentMethodObject({
    id: newId(ctx, 'pm'),
    customer: ctx.customer,
    created: story.createdAt + MINUTE,
    ...pickCard(ctx),
  })
  emit(ctx, 'payment_method.attached', card, story.createdAt + MINUTE)
  emit(
    ctx,
    'customer.updated',
    customerObject({ ...base, created: story.createdAt, defaultPaymentMethod: card.id }),
    story.createdAt + MINUTE + 1,
    { invoice_settings: { default_payment_method: null } },
  )
  for (const plan of story.subscriptions) runSubscription(ctx, plan)
  if (story.refund) refundOneInvoice(ctx, story.refund)
  return ctx.events
}

/** A card: most valid for years, about 12 % expiring this month or next, 8 % already expired. */
function pickCard(ctx: StoryContext) {
  const r = ctx.r
  const monthsAhead = r.helpers.weightedArrayElement([
    { weight: 8, value: -r.number.int({ min: 1, max: 6 }) },
    { weight: 12, value: r.number.int({ min: 0, max: 1 }) },
    { weight: 80, value: r.number.int({ min: 6, max: 48 }) },
  ])
  const now = new Date(ctx.now * 1000)
  const expiry = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthsAhead, 1))
  return {
    brand: r.helpers.weightedArrayElement([
      { weight: 55, value: 'visa' },
      { weight: 35, value: 'mastercard' },
      { weight: 10, value: 'amex' },
    ]),
    last4: r.string.numeric(4),
    expMonth: expiry.getUTCMonth() + 1,
    expYear: expiry.getUTCFullYear(),
  }
}

/** charge.refunded for one of the earlier paid invoices, 1–10 days after it was paid. */
function refundOneInvoice(ctx: StoryContext, kind: 'full' | 'partial'): void {
  const candidates = ctx.paid.filter((p) => p.amount > 0 && p.paidAt + 11 * DAY < ctx.now)
  if (candidates.length === 0) return
  const invoice = ctx.r.helpers.arrayElement(candidates)
  const created = invoice.paidAt + ctx.r.number.int({ min: 1, max: 10 }) * DAY
  const charge = refundedChargeObject({
    id: newId(ctx, 'ch'),
    customer: ctx.customer,
    invoice: invoice.id,
    amount: invoice.amount,
    amountRefunded: kind === 'full' ? invoice.amount : Math.round(invoice.amount / 2),
    currency: invoice.currency,
    created: invoice.paidAt,
  })
  emit(ctx, 'charge.refunded', charge, created)
}
