import type { PriceInput } from '../billing/stripe-builders.js'

// The demo's Stripe catalogue (issue 12 item 6): the paid plans of seed 002 (Free has no
// subscription) as per-seat prices in EUR and USD, billed monthly or yearly (a year costs ten
// months). Amounts are cents per seat per billing period.

export type DemoPlan = 'professional' | 'enterprise'
export type DemoCurrency = 'eur' | 'usd'
export type DemoInterval = 'month' | 'year'
export type DemoPrice = PriceInput & { id: string; interval: DemoInterval }

const MONTHLY_CENTS: Record<DemoPlan, Record<DemoCurrency, number>> = {
  professional: { eur: 4_900, usd: 5_900 },
  enterprise: { eur: 19_900, usd: 22_900 },
}

/** The price of `plan` in `currency` per `interval`: ids like `price_demo_enterprise_usd_year`. */
export function findDemoPrice(
  plan: DemoPlan,
  currency: DemoCurrency,
  interval: DemoInterval,
): DemoPrice {
  const monthly = MONTHLY_CENTS[plan][currency]
  return {
    id: `price_demo_${plan}_${currency}_${interval}`,
    productName: plan === 'professional' ? 'Professional' : 'Enterprise',
    unitAmount: interval === 'year' ? monthly * 10 : monthly,
    currency,
    interval,
  }
}

/** Months in one billing period of `interval`. */
export function monthsPerPeriod(interval: DemoInterval): number {
  return interval === 'year' ? 12 : 1
}

/** A coupon as the demo applies it: a percentage (0–100) or an amount off each invoice, in cents. */
export type DemoCoupon = { percentOff: number } | { amountOff: number }

/**
 * One invoice's amount in cents: unit amount × quantity, less the percentage, then the amount
 * off (as Stripe applies a coupon to an invoice), never below 0.
 */
export function invoiceAmountCents(
  price: DemoPrice,
  quantity: number,
  coupon: DemoCoupon | undefined,
): number {
  let amount = price.unitAmount * quantity
  if (coupon && 'percentOff' in coupon) amount = Math.round(amount * (1 - coupon.percentOff / 100))
  if (coupon && 'amountOff' in coupon) amount -= coupon.amountOff
  return Math.max(0, amount)
}

/**
 * `seconds` (Unix) moved by `months` calendar months in UTC, the day clamped to the target
 * month's last day (Jan 31 + 1 month = Feb 28), as Stripe's billing cycle anchor does.
 */
export function addMonthsSeconds(seconds: number, months: number): number {
  const d = new Date(seconds * 1000)
  const target = new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + months,
      1,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    ),
  )
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate()
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay))
  return Math.floor(target.getTime() / 1000)
}
