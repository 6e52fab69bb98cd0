import { describe, expect, it } from 'vitest'
import { findReprocessFence, raiseReprocessFence } from '../db/billing-reprocess-fence.js'
import { getPage } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import {
  at,
  billingTenant,
  ingestAll,
  movementLines,
  subscriptionRow,
} from './billing-test-scenes.js'
import { sweepPendingStripeEvents } from './pending-sweep.js'
import { reprocessLedger } from './reprocess.js'
import { customerObject, stripeEvent, subscriptionObject } from './stripe-builders.js'

// A live delivery during `billing:reprocess` (review finding 3): applied on a half-rebuilt
// projection it would be classified against it, so while the reprocess's fence stands live
// processing stores and holds, and the reprocess applies what it held, in order, at its end.

const t = useTestApp()

function scene(tenantId: string) {
  const cus = customerObject({
    email: 'fence@example.com',
    name: 'Fence',
    tenantId,
    created: at(2026, 3, 1),
  })
  const price = {
    id: 'price_fence',
    productName: 'Pro',
    unitAmount: 1000,
    currency: 'eur',
    interval: 'month' as const,
  }
  const sub = (quantity: number) =>
    subscriptionObject({
      id: 'sub_fence',
      customer: cus.id,
      status: 'active',
      price,
      quantity,
      created: at(2026, 3, 2),
      currentPeriodStart: at(2026, 3, 2),
      currentPeriodEnd: at(2026, 4, 2),
    })
  return { cus, sub }
}

describe('the reprocess fence', () => {
  it('holds a live event while a reprocess stands, and the reprocess applies it in order', async () => {
    const tenant = await billingTenant(t.db)
    const { cus, sub } = scene(tenant.id)
    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 3, 1)),
      stripeEvent('customer.subscription.created', sub(1), at(2026, 3, 2)),
    )
    // A reprocess has raised its fence (and is, say, halfway through its batches).
    await t.db.transaction().execute((trx) => raiseReprocessFence(trx, new Date()))

    const live = stripeEvent('customer.subscription.updated', sub(3), at(2026, 3, 10))
    const [result] = await ingestAll(t.db, live)

    expect(result).toEqual({ stored: true, processed: false })
    expect((await subscriptionRow(t.db, 'sub_fence'))?.quantity).toBe(1)
    const held = await t.db
      .selectFrom('stripe_events')
      .select(['processed_at', 'error'])
      .where('id', '=', live.id)
      .executeTakeFirstOrThrow()
    expect(held).toEqual({ processed_at: null, error: null })
    // The minute sweep holds it too.
    expect(await sweepPendingStripeEvents(t.db, new Date(Date.now() + 3_600_000))).toEqual({
      processed: 0,
      failed: 0,
    })

    const reprocessed = await reprocessLedger(t.db)

    expect(reprocessed).toMatchObject({ processed: 3, failed: 0 })
    expect(await findReprocessFence(t.db)).toBeUndefined()
    expect((await subscriptionRow(t.db, 'sub_fence'))?.mrr_cents).toBe(3000)
    expect(await movementLines(t.db, cus.id)).toEqual([
      'new 1000 eur 2026-03',
      'expansion 2000 eur 2026-03',
    ])
  })

  it('says on /billing that a reprocess stands, until one finishes', async () => {
    const { cookie } = await t.signedInOwner()
    const raisedAt = new Date(Date.UTC(2026, 10, 30, 9, 15))
    await t.db.transaction().execute((trx) => raiseReprocessFence(trx, raisedAt))

    const during = await (await getPage(t.app, '/billing', cookie)).text()
    expect(during).toContain('id="billing-reprocess"')
    expect(during).toContain('2026-11-30 09:15 UTC')

    await reprocessLedger(t.db, { pendingOnly: true })

    const after = await (await getPage(t.app, '/billing', cookie)).text()
    expect(after).not.toContain('id="billing-reprocess"')
  })
})
