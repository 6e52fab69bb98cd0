import { describe, expect, it } from 'vitest'
import type { Db } from '../db/database.js'
import { useTestApp } from '../test-support/test-app.js'
import { at, billingTenant, ingestAll, movementLines } from './billing-test-scenes.js'
import { reprocessLedger } from './reprocess.js'
import {
  customerObject,
  discountObject,
  stripeEvent,
  subscriptionObject,
  type PriceInput,
  type StripeEvent,
} from './stripe-builders.js'

// MRR movements stored as they happen (issue 12 item 3) over a scripted year of three customers'
// events: new, expansion, contraction, churn and reactivation in the right months with the right
// deltas, per currency; and a reprocess of that ledger rebuilds the identical projection.

const t = useTestApp()
const EUR_MONTHLY: PriceInput & { id: string } = {
  id: 'price_y_eur',
  productName: 'Pro',
  unitAmount: 10_000,
  currency: 'eur',
  interval: 'month',
}
const USD_YEARLY: PriceInput & { id: string } = {
  id: 'price_y_usd',
  productName: 'Pro yearly',
  unitAmount: 120_000,
  currency: 'usd',
  interval: 'year',
}
const USD_YEARLY_BIG: PriceInput & { id: string } = {
  ...USD_YEARLY,
  id: 'price_y_usd_big',
  productName: 'Business yearly',
  unitAmount: 240_000,
}
const EUR_SMALL: PriceInput & { id: string } = {
  id: 'price_y_eur_s',
  productName: 'Starter',
  unitAmount: 5_000,
  currency: 'eur',
  interval: 'month',
}
const USD_MONTHLY: PriceInput & { id: string } = {
  id: 'price_y_usd_m',
  productName: 'Starter US',
  unitAmount: 3_000,
  currency: 'usd',
  interval: 'month',
}

type SubOptions = Parameters<typeof subscriptionObject>[0]

/** One subscription's life: each step is the whole object at that time, as Stripe sends it. */
function life(base: SubOptions) {
  const make = (o: Partial<SubOptions>) => subscriptionObject({ ...base, ...o, id: base.id })
  return (type: string, created: number, o: Partial<SubOptions> = {}) =>
    stripeEvent(type, make(o), created)
}

function scriptedYear(ids: { a: string; b: string; c: string }): StripeEvent[] {
  const cust = (id: string, tenantId: string, created: number) =>
    stripeEvent(
      'customer.created',
      customerObject({ id: `cus_${id}`, email: `${id}@example.com`, name: id, tenantId, created }),
      created,
    )
  const period = { currentPeriodStart: at(2026, 1, 1), currentPeriodEnd: at(2026, 2, 1) }
  // A (EUR monthly): new in January, 2 seats in March, 1 seat with 10 % off in June, canceled in
  // September, subscribes again in November.
  const a = life({
    id: `sub_a1_${ids.a}`,
    customer: `cus_${ids.a}`,
    status: 'active',
    price: EUR_MONTHLY,
    created: at(2026, 1, 10),
    ...period,
  })
  const a2 = life({
    id: `sub_a2_${ids.a}`,
    customer: `cus_${ids.a}`,
    status: 'active',
    price: EUR_MONTHLY,
    created: at(2026, 11, 3),
    ...period,
  })
  // B (USD yearly): a trial in January (no MRR), paying from February, upgraded in July, past due
  // in October (still counted).
  const b = life({
    id: `sub_b1_${ids.b}`,
    customer: `cus_${ids.b}`,
    status: 'trialing',
    price: USD_YEARLY,
    created: at(2026, 1, 20),
    trialEnd: at(2026, 2, 3),
    ...period,
  })
  // C (both currencies): EUR from April, USD from May, EUR canceled in August.
  const ce = life({
    id: `sub_c_eur_${ids.c}`,
    customer: `cus_${ids.c}`,
    status: 'active',
    price: EUR_SMALL,
    created: at(2026, 4, 2),
    ...period,
  })
  const cu = life({
    id: `sub_c_usd_${ids.c}`,
    customer: `cus_${ids.c}`,
    status: 'active',
    price: USD_MONTHLY,
    created: at(2026, 5, 2),
    ...period,
  })
  const tenPercent = [discountObject({ percentOff: 10, customer: `cus_${ids.a}` })]
  return [
    cust(ids.a, ids.a, at(2026, 1, 10)),
    a('customer.subscription.created', at(2026, 1, 10)),
    cust(ids.b, ids.b, at(2026, 1, 20)),
    b('customer.subscription.created', at(2026, 1, 20)),
    b('customer.subscription.trial_will_end', at(2026, 1, 31)),
    b('customer.subscription.updated', at(2026, 2, 3), { status: 'active' }),
    a('customer.subscription.updated', at(2026, 3, 15), { quantity: 2 }),
    cust(ids.c, ids.c, at(2026, 4, 2)),
    ce('customer.subscription.created', at(2026, 4, 2)),
    cu('customer.subscription.created', at(2026, 5, 2)),
    a('customer.subscription.updated', at(2026, 6, 1), { quantity: 1, discounts: tenPercent }),
    b('customer.subscription.updated', at(2026, 7, 7), { status: 'active', price: USD_YEARLY_BIG }),
    ce('customer.subscription.deleted', at(2026, 8, 9), {
      status: 'canceled',
      canceledAt: at(2026, 8, 9),
    }),
    a('customer.subscription.deleted', at(2026, 9, 30), {
      status: 'canceled',
      canceledAt: at(2026, 9, 30),
      discounts: tenPercent,
    }),
    b('customer.subscription.updated', at(2026, 10, 4), {
      status: 'past_due',
      price: USD_YEARLY_BIG,
    }),
    a2('customer.subscription.created', at(2026, 11, 3)),
  ]
}

/** Every projection row, ordered, without serial ids: what a reprocess must rebuild exactly. */
async function projection(db: Db) {
  const customers = await db.selectFrom('billing_customers').selectAll().orderBy('id').execute()
  const subscriptions = await db
    .selectFrom('saas_billing')
    .selectAll()
    .orderBy('subscription_id')
    .execute()
  const invoices = await db.selectFrom('saas_invoices').selectAll().orderBy('id').execute()
  const movements = await db
    .selectFrom('mrr_movements')
    .selectAll()
    .orderBy('event_id')
    .orderBy('currency')
    .execute()
  const tenants = await db
    .selectFrom('tenants')
    .select(['id', 'billing_mrr_cents', 'billing_currency', 'dunning_started_at'])
    .orderBy('id')
    .execute()
  return {
    customers,
    subscriptions,
    invoices,
    movements: movements.map(({ id: _, ...m }) => m),
    tenants,
  }
}

describe('MRR movements over a scripted year', () => {
  it('records new, expansion, contraction, churn and reactivation in their months with their deltas', async () => {
    const ids = {
      a: (await billingTenant(t.db)).id,
      b: (await billingTenant(t.db)).id,
      c: (await billingTenant(t.db)).id,
    }

    await ingestAll(t.db, ...scriptedYear(ids))

    expect(await movementLines(t.db, `cus_${ids.a}`)).toEqual([
      'new 10000 eur 2026-01',
      'expansion 10000 eur 2026-03',
      'contraction -11000 eur 2026-06',
      'churn -9000 eur 2026-09',
      'reactivation 10000 eur 2026-11',
    ])
    // $1,200 a year is $100 a month; the trial counted nothing; past due still pays.
    expect(await movementLines(t.db, `cus_${ids.b}`)).toEqual([
      'new 10000 usd 2026-02',
      'expansion 10000 usd 2026-07',
    ])
    expect(await movementLines(t.db, `cus_${ids.c}`)).toEqual([
      'new 5000 eur 2026-04',
      'new 3000 usd 2026-05',
      'churn -5000 eur 2026-08',
    ])
    const tenants = await t.db
      .selectFrom('tenants')
      .select(['id', 'billing_mrr_cents', 'billing_currency'])
      .where('id', 'in', Object.values(ids))
      .execute()
    expect(
      Object.fromEntries(tenants.map((r) => [r.id, [r.billing_mrr_cents, r.billing_currency]])),
    ).toEqual({
      [ids.a]: [10_000, 'eur'],
      [ids.b]: [20_000, 'usd'],
      [ids.c]: [3_000, 'usd'],
    })
  })

  it('rebuilds the identical projection when the ledger is reprocessed', async () => {
    const ids = {
      a: (await billingTenant(t.db)).id,
      b: (await billingTenant(t.db)).id,
      c: (await billingTenant(t.db)).id,
    }
    await ingestAll(t.db, ...scriptedYear(ids))
    const before = await projection(t.db)
    const events = await t.db
      .selectFrom('stripe_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()

    const result = await reprocessLedger(t.db)

    expect(result).toMatchObject({ processed: Number(events.n), failed: 0 })
    expect(await projection(t.db)).toEqual(before)
  })

  it('is safe to run a second time over the same ledger (--pending finds nothing left)', async () => {
    const before = await projection(t.db)
    expect(await reprocessLedger(t.db, { pendingOnly: true })).toMatchObject({
      processed: 0,
      failed: 0,
    })
    expect(await projection(t.db)).toEqual(before)
  })
})
