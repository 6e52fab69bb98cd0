import { describe, expect, it } from 'vitest'
import { useTestApp } from '../test-support/test-app.js'
import {
  at,
  billingTenant,
  customerRow,
  ingestAll,
  movementLines,
  subscriptionRow,
  tenantBilling,
} from './billing-test-scenes.js'
import {
  customerObject,
  discountObject,
  stripeEvent,
  stripeId,
  subscriptionObject,
} from './stripe-builders.js'

// Subscriptions into saas_billing (issue 12 item 2): both API shapes, out-of-order deliveries,
// duplicates, and the tenant's columns.

const t = useTestApp()
const PRO = {
  id: 'price_pro_eur',
  productName: 'Pro',
  unitAmount: 5000,
  currency: 'eur',
  interval: 'month' as const,
}

function sub(customer: string, o: Partial<Parameters<typeof subscriptionObject>[0]> = {}) {
  return subscriptionObject({
    customer,
    status: 'active',
    price: PRO,
    quantity: 3,
    created: at(2026, 1, 5),
    currentPeriodStart: at(2026, 1, 5),
    currentPeriodEnd: at(2026, 2, 5),
    ...o,
  })
}

describe('subscription projection', () => {
  it('projects a current-shape subscription: status, price, items, discounts, period, MRR', async () => {
    const tenant = await billingTenant(t.db)
    const cus = customerObject({
      email: 'a@example.com',
      name: 'A',
      tenantId: tenant.id,
      created: at(2026, 1, 1),
    })
    const s = sub(cus.id, {
      discounts: [discountObject({ percentOff: 20, customer: cus.id })],
      cancelAtPeriodEnd: true,
      trialEnd: at(2026, 1, 4),
    })

    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 1, 1)),
      stripeEvent('customer.subscription.created', s, at(2026, 1, 5)),
    )

    const row = await subscriptionRow(t.db, s.id)
    expect(row).toMatchObject({
      customer_id: cus.id,
      tenant_id: tenant.id,
      status: 'active',
      price_id: 'price_pro_eur',
      product_name: 'Pro',
      interval: 'month',
      interval_count: 1,
      quantity: 3,
      currency: 'eur',
      mrr_cents: 12_000,
      cancel_at_period_end: true,
      discounts: [{ percentOff: 20, amountOffCents: null, currency: null }],
    })
    expect(row?.items).toEqual([
      {
        priceId: 'price_pro_eur',
        productName: 'Pro',
        unitAmountCents: 5000,
        currency: 'eur',
        interval: 'month',
        intervalCount: 1,
        quantity: 3,
      },
    ])
    expect(row?.current_period_end?.getTime()).toBe(at(2026, 2, 5) * 1000)
    expect(row?.trial_end?.getTime()).toBe(at(2026, 1, 4) * 1000)
    expect(row?.started_at?.getTime()).toBe(at(2026, 1, 5) * 1000)
    expect(await tenantBilling(t.db, tenant.id)).toEqual({
      billing_mrr_cents: 12_000,
      billing_currency: 'eur',
      dunning_started_at: null,
    })
    expect(await movementLines(t.db, cus.id)).toEqual(['new 12000 eur 2026-01'])
  })

  it('projects an old-shape subscription: top-level period end, plan, one discount with an amount off', async () => {
    const customer = stripeId('cus')
    const old = {
      id: stripeId('sub'),
      object: 'subscription',
      customer,
      status: 'past_due',
      created: at(2024, 3, 1),
      start_date: at(2024, 3, 1),
      current_period_end: at(2025, 3, 1),
      cancel_at_period_end: false,
      canceled_at: null,
      trial_end: null,
      discount: {
        object: 'discount',
        coupon: { amount_off: 12_000, currency: 'usd', percent_off: null },
      },
      items: {
        data: [
          {
            quantity: 1,
            plan: {
              id: 'plan_year',
              nickname: 'Yearly',
              amount: 120_000,
              currency: 'usd',
              interval: 'year',
              interval_count: 1,
            },
          },
        ],
      },
    }

    await ingestAll(t.db, stripeEvent('customer.subscription.updated', old, at(2024, 3, 1)))

    const row = await subscriptionRow(t.db, old.id)
    expect(row).toMatchObject({
      status: 'past_due',
      currency: 'usd',
      price_id: 'plan_year',
      product_name: 'Yearly',
      interval: 'year',
      tenant_id: null,
    })
    expect(row?.current_period_end?.getTime()).toBe(at(2025, 3, 1) * 1000)
    // $1,200/year less $120 per (yearly) invoice = $1,080/year = $90/month.
    expect(row?.mrr_cents).toBe(9_000)
    // The customer's own event has not arrived: an unmatched stub waits for it.
    expect(await customerRow(t.db, customer)).toMatchObject({ tenant_id: null, email: null })
  })

  it('keeps the newer state when an older update arrives after it (out of order)', async () => {
    const cus = customerObject({ email: 'o@example.com', name: 'O', created: at(2026, 1, 1) })
    const s = sub(cus.id)
    const newer = stripeEvent(
      'customer.subscription.updated',
      { ...s, items: sub(cus.id, { id: s.id, quantity: 5 }).items },
      at(2026, 3, 1),
    )
    const older = stripeEvent(
      'customer.subscription.updated',
      { ...s, items: sub(cus.id, { id: s.id, quantity: 4 }).items },
      at(2026, 2, 1),
    )

    await ingestAll(
      t.db,
      stripeEvent('customer.subscription.created', s, at(2026, 1, 5)),
      newer,
      older,
    )

    const row = await subscriptionRow(t.db, s.id)
    expect(row?.quantity).toBe(5)
    expect(row?.source_created.getTime()).toBe(at(2026, 3, 1) * 1000)
    const ledger = await t.db
      .selectFrom('stripe_events')
      .select(['processed_at', 'error'])
      .where('id', '=', older.id)
      .executeTakeFirstOrThrow()
    expect(ledger.error).toBeNull()
    expect(ledger.processed_at).not.toBeNull()
    expect(await movementLines(t.db, cus.id)).toEqual([
      'new 15000 eur 2026-01',
      'expansion 10000 eur 2026-03',
    ])
  })

  it('applies an update of the same second as the stored state (ties apply)', async () => {
    const s = sub(stripeId('cus'))
    const canceled = { ...s, status: 'canceled', canceled_at: at(2026, 1, 5) }
    await ingestAll(
      t.db,
      stripeEvent('customer.subscription.created', s, at(2026, 1, 5)),
      stripeEvent('customer.subscription.deleted', canceled, at(2026, 1, 5)),
    )
    expect((await subscriptionRow(t.db, s.id))?.status).toBe('canceled')
  })

  it('treats a duplicate delivery as a no-op: one ledger row, one movement, same projection', async () => {
    const s = sub(stripeId('cus'))
    const event = stripeEvent('customer.subscription.created', s, at(2026, 1, 5))
    const [first] = await ingestAll(t.db, event)
    const before = await subscriptionRow(t.db, s.id)

    const [second] = await ingestAll(t.db, event)

    expect(first).toEqual({ stored: true, processed: true })
    expect(second).toEqual({ stored: false, processed: false })
    expect(await subscriptionRow(t.db, s.id)).toEqual(before)
    expect(await movementLines(t.db, s.customer as string)).toEqual(['new 15000 eur 2026-01'])
    const rows = await t.db
      .selectFrom('stripe_events')
      .select('id')
      .where('id', '=', event.id)
      .execute()
    expect(rows).toHaveLength(1)
  })

  it('counts trials and paused subscriptions as 0 MRR and keeps their status', async () => {
    const trial = sub(stripeId('cus'), { status: 'trialing' })
    const paused = sub(stripeId('cus'))
    await ingestAll(
      t.db,
      stripeEvent('customer.subscription.created', trial, at(2026, 1, 5)),
      stripeEvent('customer.subscription.created', paused, at(2026, 1, 5)),
      stripeEvent('customer.subscription.paused', { ...paused, status: 'paused' }, at(2026, 1, 6)),
    )
    expect(await subscriptionRow(t.db, trial.id)).toMatchObject({
      status: 'trialing',
      mrr_cents: 0,
    })
    expect(await subscriptionRow(t.db, paused.id)).toMatchObject({ status: 'paused', mrr_cents: 0 })
    expect(await movementLines(t.db, paused.customer as string)).toEqual([
      'new 15000 eur 2026-01',
      'churn -15000 eur 2026-01',
    ])
  })

  it("keeps the tenant's main currency and MRR: the currency with the most MRR", async () => {
    const tenant = await billingTenant(t.db)
    const cus = customerObject({
      email: 'm@example.com',
      name: 'M',
      tenantId: tenant.id,
      created: at(2026, 1, 1),
    })
    const usd = sub(cus.id, {
      price: { ...PRO, id: 'price_usd', currency: 'usd', unitAmount: 1000 },
      quantity: 1,
    })
    const eur = sub(cus.id)
    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 1, 1)),
      stripeEvent('customer.subscription.created', usd, at(2026, 1, 2)),
      stripeEvent('customer.subscription.created', eur, at(2026, 1, 3)),
    )
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({
      billing_mrr_cents: 15_000,
      billing_currency: 'eur',
    })

    await ingestAll(
      t.db,
      stripeEvent('customer.subscription.deleted', { ...eur, status: 'canceled' }, at(2026, 2, 1)),
    )

    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({
      billing_mrr_cents: 1_000,
      billing_currency: 'usd',
    })
  })
})
