import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  countFailedStripeEvents,
  insertStripeEvent,
  markStripeEventFailed,
} from '../db/stripe-events.js'
import { useTestApp } from '../test-support/test-app.js'
import { at, customerRow } from './billing-test-scenes.js'
import { sweepPendingStripeEvents } from './pending-sweep.js'
import { isTransientDbError, processStripeEvent } from './process-event.js'
import { customerObject, stripeEvent } from './stripe-builders.js'

// Transient failures (issue 12 fix round, finding 4): a deadlock, a serialization failure or a
// lost connection is retried by the sweep instead of being stored as a permanent error.

const t = useTestApp()

async function store(email: string, receivedAt: Date) {
  const cus = customerObject({ email, name: email, created: at(2026, 1, 1) })
  const e = stripeEvent('customer.created', cus, at(2026, 1, 1))
  const input = { id: e.id, type: e.type, created: e.created, livemode: false, payload: e }
  await insertStripeEvent(t.db, input, receivedAt)
  const row = { id: e.id, type: e.type, created: new Date(e.created * 1000), payload: e }
  return { row, customerId: cus.id }
}

const eventRow = (id: string) =>
  t.db
    .selectFrom('stripe_events')
    .select(['processed_at', 'error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()

describe('processStripeEvent and transient failures', () => {
  // A trigger failing the projection of one email with a serialization failure (SQLSTATE 40001)
  // until the flag table says otherwise: the transient failure, on both databases.
  beforeAll(async () => {
    await sql`create table transient_fail (on_ boolean not null)`.execute(t.db)
    await sql`insert into transient_fail values (true)`.execute(t.db)
    await sql`create function transient_fail_fn() returns trigger language plpgsql as $$
      begin
        if new.email = 'transient@example.com' and (select on_ from transient_fail) then
          raise exception 'could not serialize access' using errcode = '40001';
        end if;
        return new;
      end $$`.execute(t.db)
    await sql`create trigger transient_fail_trg before insert or update on billing_customers
      for each row execute function transient_fail_fn()`.execute(t.db)
  })
  afterAll(async () => {
    await sql`drop trigger if exists transient_fail_trg on billing_customers`.execute(t.db)
    await sql`drop function if exists transient_fail_fn()`.execute(t.db)
    await sql`drop table if exists transient_fail`.execute(t.db)
  })

  it('leaves an event failing with 40001 pending without an error, and the sweep applies it later', async () => {
    const now = new Date('2026-03-01T12:00:00Z')
    const { row, customerId } = await store('transient@example.com', now)

    const result = await processStripeEvent(t.db, row, now)

    expect(result).toMatchObject({ ok: false, retry: true })
    expect(await eventRow(row.id)).toEqual({ processed_at: null, error: null })
    expect(await customerRow(t.db, customerId)).toBeUndefined()

    await sql`update transient_fail set on_ = false`.execute(t.db)
    const later = new Date(now.getTime() + 61_000)
    expect(await sweepPendingStripeEvents(t.db, later)).toMatchObject({ failed: 0 })
    expect(await eventRow(row.id)).toEqual({ processed_at: later, error: null })
    expect((await customerRow(t.db, customerId))?.email).toBe('transient@example.com')
  })

  it('tells transient SQLSTATE classes 40, 57 and 08 from the rest', () => {
    for (const code of ['40P01', '40001', '57P01', '57014', '08006', '08003', 'ECONNRESET']) {
      expect(isTransientDbError(Object.assign(new Error('x'), { code }))).toBe(true)
    }
    for (const code of ['23505', '22P02', '42P01', undefined]) {
      expect(isTransientDbError(Object.assign(new Error('x'), { code }))).toBe(false)
    }
    expect(isTransientDbError(null)).toBe(false)
  })
})

describe('countFailedStripeEvents', () => {
  it('counts events with an error never processed, not pending or awaiting-reprocess ones', async () => {
    const before = await countFailedStripeEvents(t.db)
    const failed = await store('failed-count@example.com', new Date())
    await store('pending-count@example.com', new Date())
    await markStripeEventFailed(t.db, failed.row.id, 'boom')

    expect(await countFailedStripeEvents(t.db)).toBe(before + 1)
  })
})
