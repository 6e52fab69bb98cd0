import type { Faker } from '@faker-js/faker'
import { DAY, HOUR } from './demo-billing-context.js'
import {
  addMonthsSeconds,
  findDemoPrice,
  monthsPerPeriod,
  type DemoCoupon,
  type DemoCurrency,
  type DemoInterval,
  type DemoPlan,
} from './demo-billing-prices.js'
import { SETTLED, TRIAL_DAYS, type SubscriptionPlan } from './demo-billing-subscription.js'

// What happened to one customer over the demo's months, as the subscriptions it had. Each
// scenario is one line of the /billing page: paying (with seat changes, upgrades, a converted
// trial), still trialing, past due N days, churned (this month or earlier), come back, leaving.

export type Scenario =
  | { kind: 'paying'; seats?: 'expand' | 'contract' }
  | { kind: 'trialing' }
  | { kind: 'past-due'; failedDaysAgo: number }
  | { kind: 'cancel-pending' }
  | { kind: 'reactivated' }
  | { kind: 'churned'; thisMonth: boolean }
  | { kind: 'customer-only' }

export type ScenarioInput = { r: Faker; now: number; months: number; plan: DemoPlan }

/** The subscriptions of `scenario`, oldest first; none for a customer without one. */
export function planScenario(input: ScenarioInput, scenario: Scenario): SubscriptionPlan[] {
  const { r, now, months } = input
  switch (scenario.kind) {
    case 'customer-only':
      return []
    case 'trialing':
      return [
        {
          ...pickTerms(input, 'month'),
          firstPeriod: now + r.number.int({ min: 1, max: 13 }) * DAY,
          trial: true,
        },
      ]
    case 'past-due': {
      const anchor = now - scenario.failedDaysAgo * DAY - 2 * HOUR
      const firstPeriod = addMonthsSeconds(anchor, -r.number.int({ min: 1, max: months - 2 }))
      return [{ ...pickTerms(input, 'month'), firstPeriod, failNewestInvoice: true }]
    }
    case 'churned': {
      const terms = pickTerms({ ...input, plan: 'professional' }, 'month')
      const firstPeriod = addMonthsSeconds(now, -r.number.int({ min: 3, max: months - 1 }))
      if (scenario.thisMonth) {
        const monthStart = Math.floor(
          Date.UTC(new Date(now * 1000).getUTCFullYear(), new Date(now * 1000).getUTCMonth(), 1) /
            1000,
        )
        const from = Math.max(monthStart, now - 20 * DAY)
        const at = Math.max(
          from,
          now - r.number.int({ min: HOUR, max: Math.max(HOUR, now - from) }),
        )
        return [
          { ...terms, firstPeriod, cancel: { at: Math.min(at, now - 60), atPeriodEnd: false } },
        ]
      }
      const at = r.number.int({ min: firstPeriod + 20 * DAY, max: now - 35 * DAY })
      return [{ ...terms, firstPeriod, cancel: { at, atPeriodEnd: r.datatype.boolean(0.6) } }]
    }
    case 'reactivated': {
      const firstPeriod =
        addMonthsSeconds(now, -(months - 1)) + r.number.int({ min: 0, max: 10 }) * DAY
      const at = addMonthsSeconds(firstPeriod, r.number.int({ min: 1, max: 2 })) + 5 * DAY
      const back = at + r.number.int({ min: 30, max: 60 }) * DAY
      const before = pickTerms(input, 'month')
      // A Stripe customer bills in one currency: coming back is a reactivation in that currency.
      const after = pickTerms(input, 'month', before.price.currency as DemoCurrency)
      return [
        { ...before, firstPeriod, cancel: { at, atPeriodEnd: false } },
        { ...after, firstPeriod: Math.min(back, now - SETTLED - HOUR) },
      ]
    }
    case 'cancel-pending': {
      const plan = { ...paying(input, undefined), changes: undefined }
      const current = newestPeriodStart(plan, now)
      const at = Math.max(current + HOUR, now - r.number.int({ min: 1, max: 5 }) * DAY)
      return [{ ...plan, cancel: { at: Math.min(at, now - 60), atPeriodEnd: true } }]
    }
    case 'paying':
      return [paying(input, scenario.seats)]
  }
}

/** A paying subscription started in the last `months`, maybe after a trial, maybe changed. */
function paying(input: ScenarioInput, seats: 'expand' | 'contract' | undefined): SubscriptionPlan {
  const { r, now, months, plan } = input
  const interval: DemoInterval = seats
    ? 'month'
    : r.helpers.weightedArrayElement([
        { weight: 75, value: 'month' as const },
        { weight: 25, value: 'year' as const },
      ])
  const step = monthsPerPeriod(interval)
  const lastMonth = addMonthsSeconds(now, -step)
  const anchor = r.number.int({ min: lastMonth + HOUR, max: now - SETTLED - HOUR })
  const periods = r.number.int({
    min: seats ? 2 : 0,
    max: Math.max(seats ? 2 : 0, Math.floor((months - 1) / step)),
  })
  const firstPeriod = addMonthsSeconds(anchor, -periods * step)
  const terms = pickTerms(input, interval)
  const trial =
    r.datatype.boolean(0.3) && firstPeriod - TRIAL_DAYS * DAY > addMonthsSeconds(now, -months)
  const result: SubscriptionPlan = { ...terms, firstPeriod, trial }
  const changeAt = () => r.number.int({ min: firstPeriod + DAY, max: now - DAY })
  const direction =
    seats ??
    (r.datatype.boolean(0.35) ? r.helpers.arrayElement(['expand', 'contract'] as const) : undefined)
  if (direction && now - firstPeriod > 2 * DAY) {
    const delta = r.number.int({ min: 1, max: 5 })
    const quantity =
      direction === 'expand' ? terms.quantity + delta : Math.max(1, terms.quantity - delta)
    if (direction === 'contract' && quantity === terms.quantity) result.quantity += delta
    result.changes = [{ at: changeAt(), quantity }]
  } else if (
    plan === 'enterprise' &&
    interval === 'month' &&
    periods >= 2 &&
    r.datatype.boolean(0.3)
  ) {
    // Started on Professional, upgraded: an expansion of the price, not the seats.
    result.price = findDemoPrice('professional', terms.price.currency as DemoCurrency, 'month')
    result.changes = [{ at: changeAt(), price: terms.price }]
  }
  return result
}

/** Price, seats (Professional 1–15, Enterprise 5–40) and a coupon for about 18 % of them. */
function pickTerms(input: ScenarioInput, interval: DemoInterval, sameCurrency?: DemoCurrency) {
  const { r, plan } = input
  const drawn: DemoCurrency = r.datatype.boolean(0.55) ? 'eur' : 'usd'
  const currency = sameCurrency ?? drawn
  const quantity =
    plan === 'enterprise' ? r.number.int({ min: 5, max: 40 }) : r.number.int({ min: 1, max: 15 })
  const periodFactor = interval === 'year' ? 10 : 1
  const coupon = r.helpers.weightedArrayElement<DemoCoupon | undefined>([
    { weight: 12, value: { percentOff: r.helpers.arrayElement([10, 15, 20, 25]) } },
    { weight: 6, value: { amountOff: r.number.int({ min: 5, max: 30 }) * 100 * periodFactor } },
    { weight: 82, value: undefined },
  ])
  return { price: findDemoPrice(plan, currency, interval), quantity, coupon }
}

/** The start of the newest period that began before `now` (less the settling time). */
function newestPeriodStart(plan: SubscriptionPlan, now: number): number {
  const step = monthsPerPeriod(plan.price.interval)
  let start = plan.firstPeriod
  for (let k = 1; addMonthsSeconds(plan.firstPeriod, k * step) <= now - SETTLED; k++)
    start = addMonthsSeconds(plan.firstPeriod, k * step)
  return start
}
