import { discountObject, subscriptionObject } from '../billing/stripe-builders.js'
import {
  addMonthsSeconds,
  monthsPerPeriod,
  type DemoCoupon,
  type DemoPrice,
} from './demo-billing-prices.js'
import { DAY, emit, HOUR, newId, type StoryContext } from './demo-billing-context.js'
import { invoicePeriod } from './demo-billing-invoices.js'

// One subscription's life as Stripe reports it: created (maybe trialing 14 days, then active),
// renewed each period (customer.subscription.updated, then the period's invoice created →
// finalized → paid, or payment_failed and past_due), seats or plan changed on the way, and maybe
// canceled (at once, or at the end of the period it was asked in). Times are Unix seconds.

export const TRIAL_DAYS = 14
/** The newest period starts at least this long before "now", so its invoice is paid by then. */
export const SETTLED = 3 * HOUR

export type SubscriptionPlan = {
  price: DemoPrice
  quantity: number
  coupon?: DemoCoupon
  /** Start of the first paid period (Unix s); with `trial`, the 14 days before it are a trial. */
  firstPeriod: number
  trial?: boolean
  /** Seat or price changes at `at` (Unix s, after firstPeriod, before now), in time order. */
  changes?: { at: number; quantity?: number; price?: DemoPrice }[]
  /** Canceled at `at`, or asked then for the end of that period (cancel_at_period_end). */
  cancel?: { at: number; atPeriodEnd: boolean }
  /** The newest period's invoice fails (invoice.payment_failed, subscription past_due). */
  failNewestInvoice?: boolean
}

type State = {
  id: string
  itemId: string
  plan: SubscriptionPlan
  price: DemoPrice
  quantity: number
  status: string
  created: number
  periodStart: number
  periodEnd: number
  cancelAtPeriodEnd: boolean
  canceledAt: number | null
  discounts: ReturnType<typeof discountObject>[]
}

/** Appends the events of `plan`'s subscription to the story. */
export function runSubscription(ctx: StoryContext, plan: SubscriptionPlan): void {
  const step = monthsPerPeriod(plan.price.interval)
  const s = openSubscription(ctx, plan)
  if (plan.trial) {
    if (plan.firstPeriod > ctx.now) return
    changeSubscription(ctx, s, plan.firstPeriod, { status: 'trialing' }, () => {
      s.status = 'active'
      s.periodStart = plan.firstPeriod
      s.periodEnd = addMonthsSeconds(plan.firstPeriod, step)
    })
  }
  const changes = [...(plan.changes ?? [])]
  const limit = ctx.now - SETTLED
  for (let k = 0; ; k++) {
    const start = addMonthsSeconds(plan.firstPeriod, k * step)
    if (start > limit) break
    applyChanges(ctx, s, changes, start)
    if (plan.cancel && plan.cancel.at < start) return cancelSubscription(ctx, s, plan.cancel)
    if (k > 0) {
      changeSubscription(ctx, s, start, {}, () => {
        s.periodStart = start
        s.periodEnd = addMonthsSeconds(plan.firstPeriod, (k + 1) * step)
      })
    }
    const newest = addMonthsSeconds(plan.firstPeriod, (k + 1) * step) > limit
    const fail = Boolean(plan.failNewestInvoice && newest)
    invoicePeriod(ctx, { ...s, coupon: plan.coupon }, start, fail, (at) =>
      changeSubscription(ctx, s, at, { status: 'active' }, () => (s.status = 'past_due')),
    )
  }
  applyChanges(ctx, s, changes, ctx.now)
  if (plan.cancel && plan.cancel.at <= ctx.now) cancelSubscription(ctx, s, plan.cancel)
}

function openSubscription(ctx: StoryContext, plan: SubscriptionPlan): State {
  const id = newId(ctx, 'sub')
  const created = plan.trial ? plan.firstPeriod - TRIAL_DAYS * DAY : plan.firstPeriod
  const s: State = {
    id,
    itemId: newId(ctx, 'si'),
    plan,
    price: plan.price,
    quantity: plan.quantity,
    status: plan.trial ? 'trialing' : 'active',
    created,
    periodStart: created,
    periodEnd: plan.trial
      ? plan.firstPeriod
      : addMonthsSeconds(plan.firstPeriod, monthsPerPeriod(plan.price.interval)),
    cancelAtPeriodEnd: false,
    canceledAt: null,
    discounts: plan.coupon ? [demoDiscount(ctx, id, plan.coupon, plan.price.currency)] : [],
  }
  emit(ctx, 'customer.subscription.created', subscriptionOf(ctx, s), created)
  return s
}

/** The subscription as Stripe shows it, its item id kept stable across events. */
function subscriptionOf(ctx: StoryContext, s: State) {
  const object = subscriptionObject({
    id: s.id,
    customer: ctx.customer,
    status: s.status,
    price: s.price,
    quantity: s.quantity,
    created: s.created,
    currentPeriodStart: s.periodStart,
    currentPeriodEnd: s.periodEnd,
    trialEnd: s.plan.trial ? s.plan.firstPeriod : null,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    canceledAt: s.canceledAt,
    discounts: s.discounts,
  })
  const items = object.items as { data: { id: string }[] }
  items.data[0]!.id = s.itemId
  return object
}

/** customer.subscription.updated at `at` after `mutate`; `previous` plus the old items. */
function changeSubscription(
  ctx: StoryContext,
  s: State,
  at: number,
  previous: Record<string, unknown>,
  mutate: () => void,
): void {
  const before = subscriptionOf(ctx, s)
  mutate()
  emit(ctx, 'customer.subscription.updated', subscriptionOf(ctx, s), at, {
    ...previous,
    items: before.items,
  })
}

function applyChanges(
  ctx: StoryContext,
  s: State,
  changes: SubscriptionPlan['changes'] & {},
  until: number,
) {
  while (changes.length > 0 && changes[0]!.at < until) {
    const change = changes.shift()!
    changeSubscription(ctx, s, change.at, {}, () => {
      s.quantity = change.quantity ?? s.quantity
      s.price = change.price ?? s.price
    })
  }
}

function cancelSubscription(
  ctx: StoryContext,
  s: State,
  cancel: NonNullable<SubscriptionPlan['cancel']>,
): void {
  if (cancel.atPeriodEnd) {
    changeSubscription(ctx, s, cancel.at, { cancel_at_period_end: false }, () => {
      s.cancelAtPeriodEnd = true
      s.canceledAt = cancel.at
    })
    if (s.periodEnd > ctx.now) return
  }
  const endedAt = cancel.atPeriodEnd ? s.periodEnd : cancel.at
  s.status = 'canceled'
  s.canceledAt = cancel.at
  emit(ctx, 'customer.subscription.deleted', subscriptionOf(ctx, s), endedAt)
}

function demoDiscount(
  ctx: StoryContext,
  subscription: string,
  coupon: DemoCoupon,
  currency: string,
) {
  const discount = discountObject({ ...coupon, currency, subscription, customer: ctx.customer })
  const id = newId(ctx, 'co')
  return { ...discount, id: newId(ctx, 'di'), coupon: { ...(discount.coupon as object), id } }
}
