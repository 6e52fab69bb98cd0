import { describe, expect, it } from 'vitest'
import { useTestApp } from '../test-support/test-app.js'
import {
  at,
  billingTenant,
  ingestAll,
  subscriptionRow,
  tenantBilling,
} from './billing-test-scenes.js'
import { reprocessLedger } from './reprocess.js'
import { customerObject, stripeEvent, subscriptionObject } from './stripe-builders.js'

// `npm run billing:reprocess` (issue 12 item 1): a failing event is kept with its error and does
// not stop the others; `--pending` retries only what is pending.

const t = useTestApp()

describe('reprocessLedger', () => {
  it('keeps a failing event with its error, applies the rest, and --pending retries only it', async () => {
    const tenant = await billingTenant(t.db)
    const cus = customerObject({
      email: 'rp@example.com',
      name: 'RP',
      tenantId: tenant.id,
      created: at(2026, 1, 1),
    })
    const price = {
      id: 'price_rp',
      productName: 'Pro',
      unitAmount: 700,
      currency: 'usd',
      interval: 'month' as const,
    }
    const sub = subscriptionObject({
      customer: cus.id,
      status: 'active',
      price,
      created: at(2026, 1, 2),
      currentPeriodStart: at(2026, 1, 2),
      currentPeriodEnd: at(2026, 2, 2),
    })
    const broken = stripeEvent(
      'customer.subscription.created',
      { id: 'sub_orphan', object: 'subscription', status: 'active' },
      at(2026, 1, 1, 13),
    )
    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 1, 1)),
      broken,
      stripeEvent('customer.subscription.created', sub, at(2026, 1, 2)),
    )
    const progress: number[] = []

    const result = await reprocessLedger(t.db, { onProgress: (p) => progress.push(p.done) })

    expect(result).toMatchObject({ processed: 2, failed: 1 })
    expect(progress).toEqual([2])
    expect(
      await t.db
        .selectFrom('stripe_events')
        .select(['processed_at', 'error'])
        .where('id', '=', broken.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ processed_at: null, error: 'subscription sub_orphan names no customer' })
    expect((await subscriptionRow(t.db, sub.id))?.mrr_cents).toBe(700)
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({
      billing_mrr_cents: 700,
      billing_currency: 'usd',
    })

    expect(await reprocessLedger(t.db, { pendingOnly: true })).toMatchObject({
      processed: 0,
      failed: 1,
    })
    expect((await subscriptionRow(t.db, sub.id))?.mrr_cents).toBe(700)
  })
})
