import { describe, expect, it } from 'vitest'
import { insertStripeEvent, markStripeEventFailed } from '../db/stripe-events.js'
import { useTestApp } from '../test-support/test-app.js'
import { at, customerRow } from './billing-test-scenes.js'
import { sweepPendingStripeEvents } from './pending-sweep.js'
import { customerObject, stripeEvent } from './stripe-builders.js'

// The periodic sweep (issue 12 item 1): stranded events — stored, never processed, no error —
// are processed once they are a minute old; failed and fresh ones are left alone.

const t = useTestApp()

function store(email: string, receivedAt: Date) {
  const cus = customerObject({ email, name: email, created: at(2026, 1, 1) })
  const e = stripeEvent('customer.created', cus, at(2026, 1, 1))
  const input = { id: e.id, type: e.type, created: e.created, livemode: false, payload: e }
  return insertStripeEvent(t.db, input, receivedAt).then(() => ({ event: e, customerId: cus.id }))
}

describe('sweepPendingStripeEvents', () => {
  it('processes a stranded event older than a minute and leaves fresh and failed ones', async () => {
    const now = new Date('2026-03-01T12:00:00Z')
    const stranded = await store('stranded@example.com', new Date(now.getTime() - 61_000))
    const fresh = await store('fresh@example.com', new Date(now.getTime() - 30_000))
    const failed = await store('failed@example.com', new Date(now.getTime() - 3_600_000))
    await markStripeEventFailed(t.db, failed.event.id, 'boom')

    expect(await sweepPendingStripeEvents(t.db, now)).toEqual({ processed: 1, failed: 0 })

    expect((await customerRow(t.db, stranded.customerId))?.email).toBe('stranded@example.com')
    expect(await customerRow(t.db, fresh.customerId)).toBeUndefined()
    expect(await customerRow(t.db, failed.customerId)).toBeUndefined()
    const row = await t.db
      .selectFrom('stripe_events')
      .select('processed_at')
      .where('id', '=', stranded.event.id)
      .executeTakeFirstOrThrow()
    expect(row.processed_at).toEqual(now)
    expect(await sweepPendingStripeEvents(t.db, now)).toEqual({ processed: 0, failed: 0 })
  })
})
