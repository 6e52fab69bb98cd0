import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  arrCents,
  churnSummary,
  classifyMovement,
  dunningState,
  monthlyFactor,
  monthStart,
  renewalDue,
  subscriptionMrrCents,
  type BillingDiscount,
  type BillingInterval,
  type BillingItem,
} from './mrr.js'

// The revenue rules of issue 12 item 3, by worked example: each number below is done by hand.

const DAY = 86_400_000
const HOUR = 3_600_000

function item(overrides: Partial<BillingItem> = {}): BillingItem {
  return {
    priceId: 'price_1',
    productName: 'Professional',
    unitAmountCents: 5_000,
    currency: 'eur',
    interval: 'month',
    intervalCount: 1,
    quantity: 1,
    ...overrides,
  }
}

const percentOff = (p: number): BillingDiscount => ({
  percentOff: p,
  amountOffCents: null,
  currency: null,
})
const amountOff = (cents: number, currency = 'eur'): BillingDiscount => ({
  percentOff: null,
  amountOffCents: cents,
  currency,
})

function mrr(items: BillingItem[], discounts: BillingDiscount[] = [], status = 'active') {
  return subscriptionMrrCents({ status, currency: 'eur', items, discounts })
}

describe('subscriptionMrrCents', () => {
  it('counts a monthly price as it is', () => {
    expect(mrr([item({ unitAmountCents: 5_000 })])).toBe(5_000)
  })

  it('divides a yearly price by 12', () => {
    expect(mrr([item({ unitAmountCents: 120_000, interval: 'year' })])).toBe(10_000)
  })

  it('multiplies a weekly price by 52/12', () => {
    expect(mrr([item({ unitAmountCents: 1_000, interval: 'week' })])).toBe(4_333)
  })

  it('multiplies a daily price by 365/12', () => {
    expect(mrr([item({ unitAmountCents: 100, interval: 'day' })])).toBe(3_042)
  })

  it('divides a 3-month price by 3', () => {
    expect(mrr([item({ unitAmountCents: 30_000, intervalCount: 3 })])).toBe(10_000)
  })

  it('multiplies by the quantity', () => {
    expect(mrr([item({ unitAmountCents: 5_000, quantity: 3 })])).toBe(15_000)
  })

  it('takes a percentage off', () => {
    expect(mrr([item({ quantity: 3 })], [percentOff(20)])).toBe(12_000)
  })

  it('takes an amount off a monthly invoice', () => {
    expect(mrr([item({ unitAmountCents: 5_000 })], [amountOff(1_000)])).toBe(4_000)
  })

  it('spreads an amount off a yearly invoice over 12 months', () => {
    const yearly = item({ unitAmountCents: 120_000, interval: 'year' })
    expect(mrr([yearly], [amountOff(12_000)])).toBe(9_000)
  })

  it('applies two percentages in turn', () => {
    expect(mrr([item({ unitAmountCents: 10_000 })], [percentOff(20), percentOff(10)])).toBe(7_200)
  })

  it('applies percentages before amounts, whatever their order', () => {
    const price = [item({ unitAmountCents: 10_000 })]
    expect(mrr(price, [amountOff(1_000), percentOff(20)])).toBe(7_000)
    expect(mrr(price, [percentOff(20), amountOff(1_000)])).toBe(7_000)
  })

  it('never goes below 0 when the discount is larger than the price', () => {
    expect(mrr([item({ unitAmountCents: 5_000 })], [amountOff(9_000)])).toBe(0)
    expect(mrr([item({ unitAmountCents: 5_000 })], [percentOff(150)])).toBe(0)
  })

  it('ignores an amount off in another currency', () => {
    expect(mrr([item({ unitAmountCents: 5_000 })], [amountOff(1_000, 'usd')])).toBe(5_000)
  })

  it.each(['trialing', 'canceled', 'paused', 'incomplete', 'incomplete_expired'])(
    'counts nothing while %s',
    (status) => {
      expect(mrr([item()], [], status)).toBe(0)
    },
  )

  it.each(['past_due', 'unpaid'])('still counts a %s subscription: the customer owes it', (s) => {
    expect(mrr([item({ unitAmountCents: 5_000 })], [], s)).toBe(5_000)
  })

  it('ignores items in another currency than the subscription', () => {
    const items = [
      item({ unitAmountCents: 5_000 }),
      item({ unitAmountCents: 7_000, currency: 'usd' }),
    ]
    expect(mrr(items)).toBe(5_000)
    expect(mrr([item({ currency: 'usd' })])).toBe(0)
  })

  it('sums items and rounds once at the end, not per item', () => {
    // 3 × ($1 × 52/12 = 433.33…) = 1,300 exactly; rounding each item would give 1,299.
    const weekly = item({ unitAmountCents: 100, interval: 'week' })
    expect(mrr([weekly, weekly, weekly])).toBe(1_300)
  })

  it('is 0 without items', () => {
    expect(mrr([])).toBe(0)
  })
})

const intervals: BillingInterval[] = ['day', 'week', 'month', 'year']
const anyItem = fc.record({
  priceId: fc.constant(null),
  productName: fc.constant(null),
  unitAmountCents: fc.integer({ min: 0, max: 10_000_000 }),
  currency: fc.constantFrom('eur', 'usd'),
  interval: fc.constantFrom(...intervals),
  intervalCount: fc.integer({ min: 1, max: 12 }),
  quantity: fc.integer({ min: 0, max: 1_000 }),
})
const anyDiscount = fc.record({
  percentOff: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
  amountOffCents: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null }),
  currency: fc.option(fc.constantFrom('eur', 'usd'), { nil: null }),
})

describe('subscriptionMrrCents properties', () => {
  it('is never negative, and always whole cents', () => {
    fc.assert(
      fc.property(
        fc.array(anyItem, { maxLength: 4 }),
        fc.array(anyDiscount, { maxLength: 3 }),
        (items, discounts) => {
          const cents = mrr(items, discounts)
          return cents >= 0 && Number.isInteger(cents)
        },
      ),
    )
  })

  it('gives a yearly price of 12 × the monthly one the same MRR, within 1 cent per item', () => {
    const monthlyItem = fc.record({
      unitAmountCents: fc.integer({ min: 0, max: 1_000_000 }),
      quantity: fc.integer({ min: 1, max: 100 }),
    })
    fc.assert(
      fc.property(fc.array(monthlyItem, { minLength: 1, maxLength: 5 }), (parts) => {
        const monthly = parts.map((p) => item(p))
        const yearly = parts.map((p) =>
          item({ ...p, unitAmountCents: p.unitAmountCents * 12, interval: 'year' }),
        )
        return Math.abs(mrr(monthly) - mrr(yearly)) <= parts.length
      }),
    )
  })

  it('never rises with a discount', () => {
    fc.assert(
      fc.property(fc.array(anyItem, { maxLength: 4 }), anyDiscount, (items, discount) => {
        return mrr(items, [discount]) <= mrr(items)
      }),
    )
  })
})

describe('monthlyFactor', () => {
  it('normalises each interval to a month', () => {
    expect(monthlyFactor('month')).toBe(1)
    expect(monthlyFactor('year')).toBeCloseTo(1 / 12)
    expect(monthlyFactor('week')).toBeCloseTo(52 / 12)
    expect(monthlyFactor('day')).toBeCloseTo(365 / 12)
    expect(monthlyFactor('month', 3)).toBeCloseTo(1 / 3)
    expect(monthlyFactor('month', 0)).toBe(1)
  })
})

describe('arrCents', () => {
  it('is 12 × MRR', () => {
    expect(arrCents(10_000)).toBe(120_000)
    expect(arrCents(0)).toBe(0)
  })
})

describe('classifyMovement', () => {
  it('calls a first subscription new', () => {
    expect(classifyMovement(0, 5_000, false)).toBe('new')
  })

  it('calls a return after paying before reactivation', () => {
    expect(classifyMovement(0, 5_000, true)).toBe('reactivation')
  })

  it('calls more MRR expansion and less contraction', () => {
    expect(classifyMovement(5_000, 8_000, true)).toBe('expansion')
    expect(classifyMovement(8_000, 5_000, true)).toBe('contraction')
  })

  it('calls MRR going to 0 churn', () => {
    expect(classifyMovement(5_000, 0, true)).toBe('churn')
  })

  it('makes no movement when nothing changed', () => {
    expect(classifyMovement(5_000, 5_000, true)).toBeUndefined()
    expect(classifyMovement(0, 0, false)).toBeUndefined()
  })
})

describe('dunningState', () => {
  const start = new Date('2026-11-10T08:00:00Z')
  const after = (ms: number) => new Date(start.getTime() + ms)

  it('is not in dunning without a first failure', () => {
    expect(dunningState(null, start)).toEqual({ inDunning: false })
    expect(dunningState(undefined, start)).toEqual({ inDunning: false })
  })

  it('has 7 days left at the first failure', () => {
    expect(dunningState(start, start)).toEqual({
      inDunning: true,
      startedAt: start,
      daysLeft: 7,
      suggestSuspend: false,
    })
  })

  it('rounds what is left up: 1 ms in, still 7 days', () => {
    expect(dunningState(start, after(1))).toMatchObject({ daysLeft: 7, suggestSuspend: false })
  })

  it('has 1 day left at 6 days 23 hours', () => {
    expect(dunningState(start, after(6 * DAY + 23 * HOUR))).toMatchObject({
      daysLeft: 1,
      suggestSuspend: false,
    })
  })

  it('suggests a suspension, with 0 days left, at exactly 7 days', () => {
    expect(dunningState(start, after(7 * DAY))).toMatchObject({ daysLeft: 0, suggestSuspend: true })
  })

  it('keeps suggesting it long after, never below 0 days', () => {
    expect(dunningState(start, after(30 * DAY))).toMatchObject({
      daysLeft: 0,
      suggestSuspend: true,
    })
  })
})

describe('renewalDue', () => {
  const now = new Date('2026-12-01T12:00:00Z')
  const at = (ms: number) => new Date(now.getTime() + ms)

  it('is due at now and at exactly now + 14 days', () => {
    expect(renewalDue(now, now)).toBe(true)
    expect(renewalDue(at(14 * DAY), now)).toBe(true)
  })

  it('is not due 1 ms past 14 days, nor in the past, nor without a period end', () => {
    expect(renewalDue(at(14 * DAY + 1), now)).toBe(false)
    expect(renewalDue(at(-1), now)).toBe(false)
    expect(renewalDue(null, now)).toBe(false)
  })
})

describe('monthStart', () => {
  it('is the first instant of the UTC month', () => {
    expect(monthStart(new Date('2026-12-31T23:59:59.999Z')).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    )
    expect(monthStart(new Date('2026-03-01T00:00:00.000Z')).toISOString()).toBe(
      '2026-03-01T00:00:00.000Z',
    )
  })

  it('takes the UTC month even where the local day is already the next month', () => {
    // 23:30 UTC on 31 January is 1 February in Berlin: still January.
    expect(monthStart(new Date('2026-01-31T23:30:00Z')).toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    )
  })
})

describe('churnSummary', () => {
  it('counts cancellations and downgrades per customer, with the MRR each lost', () => {
    const summary = churnSummary([
      { kind: 'churn', customerId: 'cus_a', deltaCents: -5_000 },
      { kind: 'contraction', customerId: 'cus_b', deltaCents: -2_000 },
      { kind: 'contraction', customerId: 'cus_b', deltaCents: -1_000 },
      { kind: 'new', customerId: 'cus_c', deltaCents: 9_000 },
      { kind: 'expansion', customerId: 'cus_d', deltaCents: 1_000 },
      { kind: 'reactivation', customerId: 'cus_e', deltaCents: 4_000 },
    ])
    expect(summary).toEqual({
      churnedCustomers: 1,
      downgradedCustomers: 1,
      churnedCents: 5_000,
      contractionCents: 3_000,
      lostCents: 8_000,
    })
  })

  it('is all zeros without movements', () => {
    expect(churnSummary([])).toEqual({
      churnedCustomers: 0,
      downgradedCustomers: 0,
      churnedCents: 0,
      contractionCents: 0,
      lostCents: 0,
    })
  })
})
