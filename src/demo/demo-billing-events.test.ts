import { Faker, base, en } from '@faker-js/faker'
import { describe, expect, it } from 'vitest'
import type { StripeEvent } from '../billing/stripe-builders.js'
import { generateDemoBillingEvents, type DemoBillingTenant } from './demo-billing-events.js'
import { addMonthsSeconds, findDemoPrice, invoiceAmountCents } from './demo-billing-prices.js'
import { planScenario } from './demo-billing-scenarios.js'

const NOW = new Date('2026-12-01T13:45:00Z')
const now = NOW.getTime() / 1000
const DAY = 86_400
const PLANS = ['free', 'professional', 'enterprise', 'free', 'professional']

function demoTenants(count: number, prefix = '0'): DemoBillingTenant[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    name: `Tenant ${i}`,
    planId: PLANS[i % PLANS.length]!,
    billingEmail: `billing@tenant-${prefix}${i}.test`,
  }))
}

type Obj = Record<string, any>
const obj = (e: StripeEvent) => e.data.object as Obj
const item = (sub: Obj) => sub.items.data[0]

/** The newest state of each subscription, as the last event about it shows it. */
function latestSubscriptions(events: StripeEvent[]): Obj[] {
  const subs = new Map<string, Obj>()
  for (const e of events) if (obj(e).object === 'subscription') subs.set(obj(e).id, obj(e))
  return [...subs.values()]
}

const events = generateDemoBillingEvents(demoTenants(20), { now: NOW })

describe('generateDemoBillingEvents', () => {
  it('lists events oldest first, none after now, each customer created before its other events', () => {
    const created = events.map((e) => e.created)
    expect(created).toEqual([...created].sort((a, b) => a - b))
    expect(Math.max(...created)).toBeLessThanOrEqual(now)
    expect(Math.min(...created)).toBeGreaterThan(addMonthsSeconds(now, -13))
    const born = new Map<string, number>()
    for (const e of events) {
      if (e.type === 'customer.created') born.set(obj(e).id, e.created)
      else expect(born.has(obj(e).customer ?? obj(e).id), e.type).toBe(true)
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
  })

  it('gives the same events for the same seed and tenants, and other ids for another seed', () => {
    const again = generateDemoBillingEvents(demoTenants(20), { now: NOW })
    const other = generateDemoBillingEvents(demoTenants(20), { now: NOW, seed: 7 })

    expect(again).toEqual(events)
    expect(other.map((e) => e.id)).not.toContain(events[0]!.id)
  })

  it('never reuses an id for other tenants, so a later seed run adds to the ledger', () => {
    const later = generateDemoBillingEvents(demoTenants(20, '1'), { now: NOW })
    const ids = new Set(events.map((e) => e.id))
    const customers = new Set(events.map((e) => obj(e).customer ?? obj(e).id))

    expect(later.filter((e) => ids.has(e.id))).toEqual([])
    expect(later.filter((e) => customers.has(obj(e).customer))).toEqual([])
  })

  it('makes about 85 % of tenants customers, a few matched by billing email, and 2–3 strangers', () => {
    const customers = events.filter((e) => e.type === 'customer.created').map(obj)
    const byMetadata = customers.filter((c) => c.metadata.tenant_id)
    const tenants = demoTenants(20)
    const byEmail = customers.filter(
      (c) => !c.metadata.tenant_id && tenants.some((t) => t.billingEmail === c.email),
    )
    const strangers = customers.length - byMetadata.length - byEmail.length

    expect(byMetadata.length + byEmail.length).toBeGreaterThanOrEqual(14)
    expect(byMetadata.length + byEmail.length).toBeLessThanOrEqual(19)
    expect(byEmail.length).toBeGreaterThanOrEqual(1)
    expect(byEmail.length).toBeLessThan(byMetadata.length)
    expect(strangers).toBeGreaterThanOrEqual(2)
    expect(strangers).toBeLessThanOrEqual(3)
  })

  it('ends with trialing, active, past-due and canceled subscriptions in EUR and USD, monthly and yearly', () => {
    const subs = latestSubscriptions(events)
    const statuses = new Set(subs.map((s) => s.status))

    expect([...statuses].sort()).toEqual(['active', 'canceled', 'past_due', 'trialing'])
    expect(new Set(subs.map((s) => s.currency))).toEqual(new Set(['eur', 'usd']))
    expect(new Set(subs.map((s) => item(s).price.recurring.interval))).toEqual(
      new Set(['month', 'year']),
    )
    const trial = subs.find((s) => s.status === 'trialing')!
    expect(trial.trial_end).toBeGreaterThan(now)
    expect(trial.trial_end - trial.created).toBe(14 * DAY)
    for (const s of subs) expect(item(s).quantity).toBeGreaterThanOrEqual(1)
    const renewing = subs.filter((s) => s.status === 'active' && !s.cancel_at_period_end)
    expect(renewing.some((s) => item(s).current_period_end - now <= 14 * DAY)).toBe(true)
  })

  it('fails a past-due invoice 1–10 days ago: one still in the window, one past 7 days', () => {
    const firstFailures = new Map<string, number>()
    for (const e of events)
      if (e.type === 'invoice.payment_failed' && !firstFailures.has(obj(e).id))
        firstFailures.set(obj(e).id, (now - e.created) / DAY)
    const ages = [...firstFailures.values()]

    expect(ages.length).toBeGreaterThanOrEqual(1)
    for (const age of ages) expect(age).toBeGreaterThan(1)
    for (const age of ages) expect(age).toBeLessThan(11)
    const many = generateDemoBillingEvents(demoTenants(50), { now: NOW })
    const failedAt = many.filter(
      (e) => e.type === 'invoice.payment_failed' && obj(e).attempt_count === 1,
    )
    const manyAges = failedAt.map((e) => (now - e.created) / DAY)
    expect(manyAges.some((a) => a < 7)).toBe(true)
    expect(manyAges.some((a) => a > 7)).toBe(true)
  })

  it('changes seats both ways, cancels some (one this month), brings one back, and refunds two', () => {
    const seatChanges = events
      .filter((e) => e.type === 'customer.subscription.updated' && e.data.previous_attributes)
      .map((e) => [e.data.previous_attributes!.items as Obj, obj(e)] as const)
      .map(([before, after]) => item(after).quantity - before.data[0].quantity)
    const deleted = events.filter((e) => e.type === 'customer.subscription.deleted')
    const subsPerCustomer = new Map<string, number>()
    for (const e of events.filter((x) => x.type === 'customer.subscription.created'))
      subsPerCustomer.set(obj(e).customer, (subsPerCustomer.get(obj(e).customer) ?? 0) + 1)

    expect(seatChanges.some((d) => d > 0)).toBe(true)
    expect(seatChanges.some((d) => d < 0)).toBe(true)
    expect(deleted.length).toBeGreaterThanOrEqual(2)
    expect(deleted.some((e) => e.created >= Date.UTC(2026, 11, 1) / 1000)).toBe(true)
    expect([...subsPerCustomer.values()]).toContain(2)
    const subs = latestSubscriptions(events)
    for (const [customer, count] of subsPerCustomer)
      if (count > 1)
        expect(
          new Set(subs.filter((s) => s.customer === customer).map((s) => s.currency)).size,
        ).toBe(1)
    expect(events.filter((e) => e.type === 'charge.refunded')).toHaveLength(2)
  })

  it('invoices each paid period created → finalized → paid, at the price × seats less the coupon', () => {
    const byInvoice = new Map<string, string[]>()
    for (const e of events.filter((x) => x.type.startsWith('invoice.')))
      byInvoice.set(obj(e).id, [...(byInvoice.get(obj(e).id) ?? []), e.type])
    const sequences = new Set([...byInvoice.values()].map((types) => types.slice(0, 3).join(' ')))

    expect(sequences).toContain('invoice.created invoice.finalized invoice.paid')
    expect(sequences).toContain('invoice.created invoice.finalized invoice.payment_failed')
    expect(sequences.size).toBe(2)
    const price = findDemoPrice('enterprise', 'usd', 'year')
    expect(invoiceAmountCents(price, 3, { percentOff: 20 })).toBe(549_600)
    expect(invoiceAmountCents(price, 1, { amountOff: 300_000 })).toBe(0)
    const jan31 = Date.UTC(2026, 0, 31, 9) / 1000
    expect(new Date(addMonthsSeconds(jan31, 1) * 1000).toISOString()).toBe(
      '2026-02-28T09:00:00.000Z',
    )
    expect(new Date(addMonthsSeconds(jan31, 2) * 1000).toISOString()).toBe(
      '2026-03-31T09:00:00.000Z',
    )
  })

  it('gives the tenants left without a customer none on a later run either', () => {
    const tenants = demoTenants(20)
    const customers = new Set(
      events.filter((e) => e.type === 'customer.created').map((e) => obj(e).metadata.tenant_id),
    )
    const byEmail = new Set(
      events.filter((e) => e.type === 'customer.created').map((e) => obj(e).email as string),
    )
    const left = tenants.filter((t) => !customers.has(t.id) && !byEmail.has(t.billingEmail))

    expect(left.length).toBeGreaterThan(0)
    expect(generateDemoBillingEvents(left, { now: NOW })).toEqual([])
  })

  it('brings a customer back in the currency it left in, as Stripe bills a customer in one', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = new Faker({ locale: [en, base], seed })
      const subs = planScenario(
        { r, now, months: 12, plan: 'professional' },
        { kind: 'reactivated' },
      )

      expect(subs).toHaveLength(2)
      expect(subs[1]!.price.currency).toBe(subs[0]!.price.currency)
      expect(subs[1]!.firstPeriod).toBeGreaterThan(subs[0]!.cancel!.at)
    }
  })

  it('refuses fewer than 4 months, and gives nothing for no tenants', () => {
    expect(() => generateDemoBillingEvents(demoTenants(3), { now: NOW, months: 3 })).toThrow(
      RangeError,
    )
    expect(generateDemoBillingEvents([], { now: NOW })).toEqual([])
  })
})
