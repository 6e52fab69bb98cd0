import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../test-support/test-app.js'
import {
  at,
  billingTenant,
  ingestAll,
  movementLines,
  subscriptionRow,
} from './billing-test-scenes.js'
import { replayStripeExport } from './replay.js'
import { customerObject, stripeEvent, subscriptionObject } from './stripe-builders.js'

// `npm run billing:replay -- FILE` (issue 12 item 6): a JSON-lines export stored line by line
// (bad lines reported by number, duplicates skipped), then processed in created order.

const t = useTestApp()

function exportFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fleetdeck-replay-')), 'events.jsonl')
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}

describe('replayStripeExport', () => {
  it('stores each good line, reports bad ones by line number, skips duplicates, processes in created order', async () => {
    const tenant = await billingTenant(t.db)
    const cus = customerObject({
      email: 'r@example.com',
      name: 'R',
      tenantId: tenant.id,
      created: at(2025, 1, 1),
    })
    const price = {
      id: 'price_r',
      productName: 'Pro',
      unitAmount: 1000,
      currency: 'usd',
      interval: 'month' as const,
    }
    const base = {
      customer: cus.id,
      status: 'active',
      price,
      created: at(2025, 1, 2),
      currentPeriodStart: at(2025, 1, 2),
      currentPeriodEnd: at(2025, 2, 2),
    }
    const sub = subscriptionObject(base)
    const created = stripeEvent('customer.subscription.created', sub, at(2025, 1, 2))
    const grown = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({ ...base, id: sub.id, quantity: 3 }),
      at(2025, 4, 1),
    )
    const already = stripeEvent('customer.created', cus, at(2025, 1, 1))
    await ingestAll(t.db, already)
    // Newest first, as `stripe events list` prints them.
    const file = exportFile([
      JSON.stringify(grown),
      '{"id": "evt_broken",',
      '',
      JSON.stringify({ object: 'list', data: [created], has_more: false }),
      JSON.stringify({ id: 'evt_no_type', object: 'event', created: 1 }),
      JSON.stringify(already),
    ])

    const result = await replayStripeExport(t.db, file)

    expect(result).toMatchObject({
      stored: 2,
      duplicates: 1,
      processing: { processed: 2, failed: 0 },
    })
    expect(result.bad).toEqual([
      { line: 2, reason: 'not JSON' },
      { line: 5, reason: 'no event type' },
    ])
    expect((await subscriptionRow(t.db, sub.id))?.quantity).toBe(3)
    expect(await movementLines(t.db, cus.id)).toEqual([
      'new 1000 usd 2025-01',
      'expansion 2000 usd 2025-04',
    ])
    expect(
      await t.db
        .selectFrom('stripe_events')
        .select('id')
        .where('id', 'in', ['evt_broken', 'evt_no_type'])
        .execute(),
    ).toEqual([])
  })

  it('reports an event created before 2010 or more than a day ahead as a bad line, storing nothing for it', async () => {
    const receivedAt = new Date('2026-03-01T12:00:00Z')
    const cus = () => customerObject({ email: 'c@example.com', name: 'C', created: at(2026, 1, 1) })
    const tooOld = stripeEvent('customer.created', cus(), at(2009, 12, 31))
    const huge = stripeEvent('customer.created', cus(), 1e15)
    const ahead = stripeEvent('customer.created', cus(), receivedAt.getTime() / 1000 + 2 * 86_400)
    const good = stripeEvent('customer.created', cus(), at(2026, 1, 1))
    const file = exportFile([tooOld, huge, ahead, good].map((e) => JSON.stringify(e)))

    const result = await replayStripeExport(t.db, file, { receivedAt })

    const reason = 'created is not between 2010-01-01 and a day from now'
    expect(result.bad).toEqual([
      { line: 1, reason },
      { line: 2, reason },
      { line: 3, reason },
    ])
    expect(result.stored).toBe(1)
    const ids = [tooOld.id, huge.id, ahead.id, good.id]
    const rows = await t.db
      .selectFrom('stripe_events')
      .select('id')
      .where('id', 'in', ids)
      .execute()
    expect(rows).toEqual([{ id: good.id }])
  })

  it('stores nothing twice when the same export is replayed again', async () => {
    const event = stripeEvent(
      'customer.created',
      customerObject({ email: 'twice@example.com', name: 'T', created: at(2025, 1, 1) }),
      at(2025, 1, 1),
    )
    const file = exportFile([JSON.stringify(event)])
    await replayStripeExport(t.db, file)

    const again = await replayStripeExport(t.db, file)

    expect(again).toMatchObject({ stored: 0, duplicates: 1, bad: [], processing: { processed: 0 } })
  })
})
