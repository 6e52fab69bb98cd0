import { describe, expect, it } from 'vitest'
import { useTestApp } from '../test-support/test-app.js'
import {
  at,
  billingTenant,
  ingestAll,
  movementLines,
  subscriptionRow,
  tenantBilling,
} from './billing-test-scenes.js'
import { reprocessLedger } from './reprocess.js'
import {
  customerObject,
  discountObject,
  stripeEvent,
  stripeId,
  subscriptionObject,
  type StripeEvent,
} from './stripe-builders.js'

// Discounts that arrive as bare ids (issue 12 item 3): current webhooks never expand
// `subscription.discounts`; the amounts come from customer.discount.* events, whichever arrives
// first. €50 × 3 seats = €150/month (15,000 cents) before any discount.

const t = useTestApp()
const PRO = {
  id: 'price_pro_eur',
  productName: 'Pro',
  unitAmount: 5000,
  currency: 'eur',
  interval: 'month' as const,
}

/** A Discount of the current API shape: the coupon under `source` (expanded here). */
function newShapeDiscount(d: {
  customer: string
  subscription?: string | null
  percentOff?: number
  amountOff?: number
}) {
  return {
    id: stripeId('di'),
    object: 'discount',
    customer: d.customer,
    subscription: d.subscription ?? null,
    source: {
      type: 'coupon',
      coupon: {
        id: stripeId('co'),
        object: 'coupon',
        percent_off: d.percentOff ?? null,
        amount_off: d.amountOff ?? null,
        currency: d.amountOff !== undefined ? 'eur' : null,
        duration: 'forever',
      },
    },
    start: at(2026, 1, 1),
    end: null,
  }
}

/** A current-shape subscription whose `discounts` lists bare ids. */
function sub(customer: string, discountIds: string[] = [], id?: string) {
  return {
    ...subscriptionObject({
      ...(id ? { id } : {}),
      customer,
      status: 'active',
      price: PRO,
      quantity: 3,
      created: at(2026, 1, 5),
      currentPeriodStart: at(2026, 1, 5),
      currentPeriodEnd: at(2026, 2, 5),
    }),
    discounts: discountIds,
  }
}

async function customerScene() {
  const tenant = await billingTenant(t.db)
  const cus = customerObject({
    email: `${stripeId('d')}@example.com`,
    name: 'D',
    tenantId: tenant.id,
    created: at(2026, 1, 1),
  })
  await ingestAll(t.db, stripeEvent('customer.created', cus, at(2026, 1, 1)))
  return { tenant, cus }
}

const discountRow = (id: string) =>
  t.db.selectFrom('billing_discounts').selectAll().where('id', '=', id).executeTakeFirst()

async function movementEventIds(customerId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom('mrr_movements')
    .select('event_id')
    .where('customer_id', '=', customerId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => r.event_id)
}

describe('discount projection', () => {
  it('counts a discount whose event arrives before the subscription that lists its bare id', async () => {
    const { tenant, cus } = await customerScene()
    const s = sub(cus.id)
    const di = newShapeDiscount({ customer: cus.id, subscription: s.id, percentOff: 20 })

    await ingestAll(
      t.db,
      stripeEvent('customer.discount.created', di, at(2026, 1, 5)),
      stripeEvent('customer.subscription.created', { ...s, discounts: [di.id] }, at(2026, 1, 5)),
    )

    const row = await subscriptionRow(t.db, s.id)
    expect(row?.mrr_cents).toBe(12_000)
    expect(row?.discounts).toEqual([
      { id: di.id, percentOff: 20, amountOffCents: null, currency: null },
    ])
    expect(await discountRow(di.id)).toMatchObject({
      customer_id: cus.id,
      subscription_id: s.id,
      coupon_id: di.source.coupon.id,
      amount_off_cents: null,
      currency: null,
      deleted: false,
    })
    expect(Number((await discountRow(di.id))?.percent_off)).toBe(20)
    expect(await movementLines(t.db, cus.id)).toEqual(['new 12000 eur 2026-01'])
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({ billing_mrr_cents: 12_000 })
  })

  it('re-prices a subscription when its discount arrives after it: a contraction on the discount event', async () => {
    const { tenant, cus } = await customerScene()
    const s = sub(cus.id)
    const di = newShapeDiscount({ customer: cus.id, subscription: s.id, percentOff: 20 })
    const subEvent = stripeEvent(
      'customer.subscription.created',
      { ...s, discounts: [di.id] },
      at(2026, 1, 5),
    )
    await ingestAll(t.db, subEvent)
    expect((await subscriptionRow(t.db, s.id))?.mrr_cents).toBe(15_000)
    expect((await subscriptionRow(t.db, s.id))?.discounts).toEqual([
      { id: di.id, percentOff: null, amountOffCents: null, currency: null },
    ])

    const discountEvent = stripeEvent('customer.discount.created', di, at(2026, 2, 10))
    await ingestAll(t.db, discountEvent)

    expect((await subscriptionRow(t.db, s.id))?.mrr_cents).toBe(12_000)
    expect(await movementLines(t.db, cus.id)).toEqual([
      'new 15000 eur 2026-01',
      'contraction -3000 eur 2026-02',
    ])
    expect(await movementEventIds(cus.id)).toEqual([subEvent.id, discountEvent.id])
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({
      billing_mrr_cents: 12_000,
      billing_currency: 'eur',
    })
  })

  it("applies a customer-wide discount to the customer's subscriptions without their own", async () => {
    const { tenant, cus } = await customerScene()
    const plain = sub(cus.id)
    const own = newShapeDiscount({ customer: cus.id, percentOff: 50 })
    const withOwn = sub(cus.id, [own.id])
    own.subscription = withOwn.id
    // Old API shape (`coupon` on the discount): €10 off every monthly invoice, customer-wide.
    const wide = discountObject({ amountOff: 1000, currency: 'eur', customer: cus.id })

    await ingestAll(
      t.db,
      stripeEvent('customer.discount.created', own, at(2026, 1, 5)),
      stripeEvent('customer.subscription.created', plain, at(2026, 1, 5)),
      stripeEvent('customer.subscription.created', withOwn, at(2026, 1, 5)),
      stripeEvent('customer.discount.created', wide, at(2026, 1, 20)),
    )

    expect(await subscriptionRow(t.db, plain.id)).toMatchObject({
      mrr_cents: 14_000,
      discounts: [
        {
          id: wide.id,
          customerWide: true,
          percentOff: null,
          amountOffCents: 1000,
          currency: 'eur',
        },
      ],
    })
    expect((await subscriptionRow(t.db, withOwn.id))?.mrr_cents).toBe(7_500)
    expect(await movementLines(t.db, cus.id)).toEqual([
      'new 15000 eur 2026-01',
      'expansion 7500 eur 2026-01',
      'contraction -1000 eur 2026-01',
    ])
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({ billing_mrr_cents: 21_500 })

    // A subscription that arrives later without a discount of its own gets it too.
    const later = sub(cus.id)
    await ingestAll(t.db, stripeEvent('customer.subscription.created', later, at(2026, 2, 1)))
    expect((await subscriptionRow(t.db, later.id))?.mrr_cents).toBe(14_000)
  })

  it('gives the MRR back when the discount is deleted: an expansion, the row kept as deleted', async () => {
    const { tenant, cus } = await customerScene()
    const s = sub(cus.id)
    const di = newShapeDiscount({ customer: cus.id, subscription: s.id, amountOff: 2500 })
    await ingestAll(
      t.db,
      stripeEvent('customer.discount.created', di, at(2026, 1, 5)),
      stripeEvent('customer.subscription.created', { ...s, discounts: [di.id] }, at(2026, 1, 5)),
    )
    expect((await subscriptionRow(t.db, s.id))?.mrr_cents).toBe(12_500)

    await ingestAll(t.db, stripeEvent('customer.discount.deleted', di, at(2026, 3, 5)))

    expect(await subscriptionRow(t.db, s.id)).toMatchObject({ mrr_cents: 15_000, discounts: [] })
    expect(await discountRow(di.id)).toMatchObject({ deleted: true })
    expect(await movementLines(t.db, cus.id)).toEqual([
      'new 12500 eur 2026-01',
      'expansion 2500 eur 2026-03',
    ])
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({ billing_mrr_cents: 15_000 })

    // A late, older delivery of its creation does not bring it back.
    await ingestAll(t.db, stripeEvent('customer.discount.created', di, at(2026, 1, 5)))
    expect(await discountRow(di.id)).toMatchObject({ deleted: true })
    expect((await subscriptionRow(t.db, s.id))?.mrr_cents).toBe(15_000)
  })

  it('keeps the newer discount when an older update arrives after it (out of order)', async () => {
    const { cus } = await customerScene()
    const s = sub(cus.id)
    const di = newShapeDiscount({ customer: cus.id, subscription: s.id, percentOff: 20 })
    const withPercent = (p: number) => ({
      ...di,
      source: { ...di.source, coupon: { ...di.source.coupon, percent_off: p } },
    })
    const older = stripeEvent('customer.discount.updated', withPercent(30), at(2026, 2, 1))

    await ingestAll(
      t.db,
      stripeEvent('customer.subscription.created', { ...s, discounts: [di.id] }, at(2026, 1, 5)),
      stripeEvent('customer.discount.created', di, at(2026, 1, 5)),
      stripeEvent('customer.discount.updated', withPercent(50), at(2026, 3, 1)),
      older,
    )

    expect(Number((await discountRow(di.id))?.percent_off)).toBe(50)
    expect((await discountRow(di.id))?.source_created.getTime()).toBe(at(2026, 3, 1) * 1000)
    expect((await subscriptionRow(t.db, s.id))?.mrr_cents).toBe(7_500)
    expect(await movementEventIds(cus.id)).not.toContain(older.id)
    const ledger = await t.db
      .selectFrom('stripe_events')
      .select(['processed_at', 'error'])
      .where('id', '=', older.id)
      .executeTakeFirstOrThrow()
    expect(ledger).toMatchObject({ error: null, processed_at: expect.any(Date) })
  })

  it("takes a coupon's amounts from its coupon event when the discount names it by id alone", async () => {
    const { tenant, cus } = await customerScene()
    const s = sub(cus.id)
    const couponId = stripeId('co')
    const di = {
      ...newShapeDiscount({ customer: cus.id, subscription: s.id }),
      source: { type: 'coupon', coupon: couponId },
    }
    await ingestAll(
      t.db,
      stripeEvent('customer.discount.created', di, at(2026, 1, 5)),
      stripeEvent('customer.subscription.created', { ...s, discounts: [di.id] }, at(2026, 1, 5)),
    )
    expect(await discountRow(di.id)).toMatchObject({
      coupon_id: couponId,
      percent_off: null,
      amount_off_cents: null,
    })
    expect((await subscriptionRow(t.db, s.id))?.mrr_cents).toBe(15_000)

    const couponEvent = stripeEvent(
      'coupon.created',
      { id: couponId, object: 'coupon', percent_off: 20, amount_off: null, currency: null },
      at(2026, 2, 1),
    )
    await ingestAll(t.db, couponEvent)

    expect(await subscriptionRow(t.db, s.id)).toMatchObject({
      mrr_cents: 12_000,
      discounts: [{ id: di.id, percentOff: 20, amountOffCents: null, currency: null }],
    })
    expect(await movementLines(t.db, cus.id)).toEqual([
      'new 15000 eur 2026-01',
      'contraction -3000 eur 2026-02',
    ])
    expect(await movementEventIds(cus.id)).toContain(couponEvent.id)
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({ billing_mrr_cents: 12_000 })
  })

  it('uses a coupon stored before the discount that names it by id', async () => {
    const { cus } = await customerScene()
    const s = sub(cus.id)
    const couponId = stripeId('co')
    const di = {
      ...newShapeDiscount({ customer: cus.id }),
      source: { type: 'coupon', coupon: couponId },
    }
    await ingestAll(
      t.db,
      stripeEvent(
        'coupon.created',
        { id: couponId, object: 'coupon', percent_off: null, amount_off: 500, currency: 'EUR' },
        at(2026, 1, 1),
      ),
      stripeEvent('customer.subscription.created', s, at(2026, 1, 5)),
      stripeEvent('customer.discount.created', di, at(2026, 1, 6)),
    )
    expect(await subscriptionRow(t.db, s.id)).toMatchObject({
      mrr_cents: 14_500,
      discounts: [
        { id: di.id, customerWide: true, percentOff: null, amountOffCents: 500, currency: 'eur' },
      ],
    })
  })

  it('rebuilds the same projection on reprocess, whichever order the events were delivered in', async () => {
    const { tenant, cus } = await customerScene()
    const s = sub(cus.id)
    const di = newShapeDiscount({ customer: cus.id, subscription: s.id, percentOff: 20 })
    const wide = newShapeDiscount({ customer: cus.id, amountOff: 1000 })
    const plain = sub(cus.id)
    const events: StripeEvent[] = [
      stripeEvent('customer.subscription.created', plain, at(2026, 1, 6)),
      stripeEvent('customer.discount.created', di, at(2026, 2, 1)),
      stripeEvent('customer.subscription.created', { ...s, discounts: [di.id] }, at(2026, 1, 5)),
      stripeEvent('customer.discount.created', wide, at(2026, 3, 1)),
      stripeEvent('customer.discount.deleted', wide, at(2026, 4, 1)),
    ]
    await ingestAll(t.db, ...events)
    const snapshot = async () => ({
      subs: await t.db
        .selectFrom('saas_billing')
        .select(['subscription_id', 'mrr_cents', 'discounts'])
        .where('customer_id', '=', cus.id)
        .orderBy('subscription_id')
        .execute(),
      discounts: await t.db
        .selectFrom('billing_discounts')
        .selectAll()
        .where('customer_id', '=', cus.id)
        .orderBy('id')
        .execute(),
      movements: await movementLines(t.db, cus.id),
      tenant: await tenantBilling(t.db, tenant.id),
    })
    const delivered = await snapshot()
    expect(delivered.subs.map((r) => r.mrr_cents).sort()).toEqual([12_000, 15_000])
    expect(delivered.tenant).toMatchObject({ billing_mrr_cents: 27_000 })

    const result = await reprocessLedger(t.db)

    expect(result.failed).toBe(0)
    const rebuilt = await snapshot()
    expect(rebuilt.subs).toEqual(delivered.subs)
    expect(rebuilt.discounts).toEqual(delivered.discounts)
    expect(rebuilt.tenant).toEqual(delivered.tenant)
    // Replayed in created order the discounted subscription (5 Jan) comes first at full price and
    // its discount's own event (1 Feb) contracts it; the delivered order had the discount there
    // first. The months may differ, the sum of the movements (today's MRR) does not.
    expect(rebuilt.movements).toEqual([
      'new 15000 eur 2026-01',
      'expansion 15000 eur 2026-01',
      'contraction -3000 eur 2026-02',
      'contraction -1000 eur 2026-03',
      'expansion 1000 eur 2026-04',
    ])
    const total = (lines: string[]) => lines.reduce((sum, l) => sum + Number(l.split(' ')[1]), 0)
    expect(total(rebuilt.movements)).toBe(27_000)
    expect(total(delivered.movements)).toBe(27_000)
  })
})
