import type { MrrMovementKind } from '../db/schema.js'

// The revenue rules, pure (issue 12 item 3). Amounts are integer cents of one currency; nothing
// here converts between currencies. The rules follow ChartMogul's and Lago's definitions of MRR
// and its movements: a subscription's recurring amount normalised to one month, after discounts,
// counted while the customer is paying for it (not during a trial, not once canceled).

export type BillingInterval = 'day' | 'week' | 'month' | 'year'

/** One subscription item as the projection stores it (saas_billing.items). */
export type BillingItem = {
  priceId: string | null
  productName: string | null
  /** Price per unit per billing period, in cents of `currency`. */
  unitAmountCents: number
  currency: string
  interval: BillingInterval
  /** Periods per bill: `month` × 3 is quarterly. ≥ 1. */
  intervalCount: number
  quantity: number
}

/**
 * A discount on the subscription (saas_billing.discounts), from Stripe's coupon: a percentage off
 * every invoice, or an amount off every invoice in the coupon's currency.
 */
export type BillingDiscount = {
  /**
   * Stripe's discount id (`di_…`) when known: current webhooks send bare ids, resolved through
   * billing_discounts (src/billing/resolve-discounts.ts); an unresolved one has both amounts null
   * and takes nothing off.
   */
  id?: string
  /** A customer-wide discount applied because the subscription has none of its own. */
  customerWide?: boolean
  percentOff: number | null
  amountOffCents: number | null
  currency: string | null
}

/** Stripe subscription statuses whose customer is paying: MRR counts them (past due included). */
export const MRR_STATUSES: readonly string[] = ['active', 'past_due', 'unpaid']

export const DAY_MS = 86_400_000 // one day in milliseconds, shared by the billing readers

/**
 * Months' worth of one billing period: a yearly price is 1/12 of a month's, a weekly one 52/12
 * (ChartMogul: "weekly plans × 4.33"), a daily one 365/12; `count` divides (a 3-month price
 * covers three months).
 */
export function monthlyFactor(interval: BillingInterval, count = 1): number {
  const perYear = { day: 365, week: 52, month: 12, year: 1 }[interval]
  return perYear / 12 / Math.max(1, count)
}

/**
 * MRR of one subscription in cents of its currency, rounded to the cent once at the end:
 * Σ(unit amount × quantity × monthlyFactor) over its items in `currency`, less its discounts
 * (percentages in turn, then amounts off an invoice normalised by the first item's interval),
 * never below 0. 0 for a trial, a canceled, paused or incomplete subscription.
 * Example: €50/month × 3 seats with 20 % off → 12,000; $1,200/year → 10,000; $10/week → 4,333.
 */
export function subscriptionMrrCents(sub: {
  status: string
  currency: string
  items: readonly BillingItem[]
  discounts: readonly BillingDiscount[]
}): number {
  if (!MRR_STATUSES.includes(sub.status)) return 0
  const items = sub.items.filter((i) => i.currency === sub.currency)
  if (items.length === 0) return 0
  let monthly = 0
  for (const item of items) {
    monthly +=
      item.unitAmountCents * item.quantity * monthlyFactor(item.interval, item.intervalCount)
  }
  for (const d of sub.discounts) {
    if (d.percentOff !== null) monthly *= 1 - Math.min(100, Math.max(0, d.percentOff)) / 100
  }
  const periodFactor = monthlyFactor(items[0]!.interval, items[0]!.intervalCount)
  for (const d of sub.discounts) {
    if (d.amountOffCents !== null && d.currency === sub.currency) {
      monthly -= d.amountOffCents * periodFactor
    }
  }
  return Math.max(0, Math.round(monthly))
}

/** ARR = 12 × MRR, in the same cents and currency. */
export function arrCents(mrrCents: number): number {
  return 12 * mrrCents
}

/**
 * The movement one change of a customer's MRR (in one currency) makes, or undefined when it did
 * not change: from 0 it is `new`, or `reactivation` when the customer paid before; to 0 it is
 * `churn`; otherwise `expansion` or `contraction` (ChartMogul's five movement types).
 */
export function classifyMovement(
  beforeCents: number,
  afterCents: number,
  paidBefore: boolean,
): MrrMovementKind | undefined {
  if (beforeCents === afterCents) return undefined
  if (beforeCents === 0) return paidBefore ? 'reactivation' : 'new'
  if (afterCents === 0) return 'churn'
  return afterCents > beforeCents ? 'expansion' : 'contraction'
}

export const DUNNING_DAYS = 7
export const RENEWAL_DAYS = 14

export type DunningState =
  | { inDunning: false }
  | {
      inDunning: true
      startedAt: Date
      /** Whole days left in the window, rounded up: 7 at the first failure, 0 once it is over. */
      daysLeft: number
      /** The window is over (≥ 7 days since the first failure): suggest a suspension, never do it. */
      suggestSuspend: boolean
    }

/**
 * Where a tenant stands in the 7-day dunning window (seed 002: "failed payments in a 7-day dunning
 * window"), from the first failure of its unpaid last invoice. The window is [start, start + 7 d).
 */
export function dunningState(
  startedAt: Date | null | undefined,
  now: Date,
  windowDays = DUNNING_DAYS,
): DunningState {
  if (!startedAt) return { inDunning: false }
  const left = startedAt.getTime() + windowDays * DAY_MS - now.getTime()
  return {
    inDunning: true,
    startedAt,
    daysLeft: Math.max(0, Math.ceil(left / DAY_MS)),
    suggestSuspend: left <= 0,
  }
}

/** A renewal is due when the period ends within the next 14 days (now ≤ end ≤ now + 14 d). */
export function renewalDue(
  periodEnd: Date | null | undefined,
  now: Date,
  days = RENEWAL_DAYS,
): boolean {
  if (!periodEnd) return false
  const t = periodEnd.getTime()
  return t >= now.getTime() && t <= now.getTime() + days * DAY_MS
}

/** The first instant of `date`'s month, UTC: movements are grouped by it. */
export function monthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1))
}

export type ChurnSummary = {
  /** Customers whose MRR went to 0 (cancellations). */
  churnedCustomers: number
  /** Customers who downgraded (contraction). */
  downgradedCustomers: number
  /** MRR lost to cancellations, cents (positive). */
  churnedCents: number
  /** MRR lost to downgrades, cents (positive). */
  contractionCents: number
  /** churnedCents + contractionCents: seed 002's "churn" counts both. */
  lostCents: number
}

/**
 * Churn over a set of movements in one currency (usually this month's): cancellations and
 * downgrades, counted per customer and in MRR lost (seed 002).
 */
export function churnSummary(
  movements: readonly { kind: MrrMovementKind; customerId: string; deltaCents: number }[],
): ChurnSummary {
  const churned = new Set<string>()
  const downgraded = new Set<string>()
  let churnedCents = 0
  let contractionCents = 0
  for (const m of movements) {
    if (m.kind === 'churn') {
      churned.add(m.customerId)
      churnedCents -= m.deltaCents
    } else if (m.kind === 'contraction') {
      downgraded.add(m.customerId)
      contractionCents -= m.deltaCents
    }
  }
  return {
    churnedCustomers: churned.size,
    downgradedCustomers: downgraded.size,
    churnedCents,
    contractionCents,
    lostCents: churnedCents + contractionCents,
  }
}
