import { sql } from 'kysely'
import type { Db } from './database.js'

// The Stripe event ledger (issue 12 item 1, migration 2026120500_billing): every verified
// delivery stored once, keyed by Stripe's event id; the projection is derived from it.

/** One stored event as the processor reads it; `created` is Stripe's own time (seconds → Date). */
export type StoredStripeEvent = {
  id: string
  type: string
  created: Date
  payload: Record<string, unknown>
  processedAt: Date | null
  error: string | null
}

/** What to store: Stripe's event as delivered (`created` in Unix seconds). */
export type StripeEventInput = {
  id: string
  type: string
  created: number
  livemode: boolean
  payload: Record<string, unknown>
}

/**
 * Stores one event unless its id is already there (`on conflict (id) do nothing`): a duplicate
 * delivery changes nothing. Autocommits when given the pool, so a true answer means durable.
 * @returns true when this call stored it, false for a duplicate
 */
export async function insertStripeEvent(
  db: Db,
  event: StripeEventInput,
  receivedAt: Date,
): Promise<boolean> {
  const rows = await db
    .insertInto('stripe_events')
    .values({
      id: event.id,
      type: event.type,
      created: new Date(event.created * 1000),
      livemode: event.livemode,
      payload: JSON.stringify(event.payload),
      received_at: receivedAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute()
  return rows.length === 1
}

const columns = ['id', 'type', 'created', 'payload', 'processed_at', 'error'] as const

function toEvent(row: {
  id: string
  type: string
  created: Date
  payload: unknown
  processed_at: Date | null
  error: string | null
}): StoredStripeEvent {
  return {
    id: row.id,
    type: row.type,
    created: row.created,
    payload: row.payload as Record<string, unknown>,
    processedAt: row.processed_at,
    error: row.error,
  }
}

export async function findStripeEvent(db: Db, id: string): Promise<StoredStripeEvent | undefined> {
  const row = await db
    .selectFrom('stripe_events')
    .select(columns)
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toEvent(row)
}

/** Processed: `processed_at` = now and the error cleared. Runs in the processing transaction. */
export async function markStripeEventProcessed(db: Db, id: string, now: Date): Promise<void> {
  await db
    .updateTable('stripe_events')
    .set({ processed_at: now, error: null })
    .where('id', '=', id)
    .execute()
}

/** A failed processing: the error kept for the operator, `processed_at` left null (pending). */
export async function markStripeEventFailed(db: Db, id: string, error: string): Promise<void> {
  await db
    .updateTable('stripe_events')
    .set({ processed_at: null, error })
    .where('id', '=', id)
    .execute()
}

/** Pending again without an error (an event not ready yet), for the periodic sweep to retry. */
export async function markStripeEventPending(db: Db, id: string): Promise<void> {
  await db
    .updateTable('stripe_events')
    .set({ processed_at: null, error: null })
    .where('id', '=', id)
    .execute()
}

/**
 * Gives up an event received before `cutoff`: marked processed (`now`) with `error` kept, so
 * neither the sweep nor a pending reprocess tries it again.
 * @returns true when it was old enough and is now given up
 */
export async function giveUpStripeEventReceivedBefore(
  db: Db,
  id: string,
  cutoff: Date,
  error: string,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .updateTable('stripe_events')
    .set({ processed_at: now, error })
    .where('id', '=', id)
    .where('received_at', '<', cutoff)
    .returning('id')
    .execute()
  return rows.length === 1
}

export type LedgerCursor = { created: Date; receivedAt: Date; id: string }

/**
 * The next `limit` events after `after` in the ledger's replay order `(created, received_at, id)`
 * (the index stripe_events_created_idx), only never-processed ones with `pendingOnly`.
 */
export async function listStripeEventsInOrder(
  db: Db,
  options: {
    after?: LedgerCursor
    limit: number
    pendingOnly?: boolean
    /** Only pending events without an error, received before this (the sweep). */
    strandedBefore?: Date
    /** With pendingOnly: leave out events whose processing failed (they keep their error). */
    withoutError?: boolean
  },
): Promise<(StoredStripeEvent & { receivedAt: Date })[]> {
  const { after, limit, pendingOnly, strandedBefore, withoutError } = options
  let query = db
    .selectFrom('stripe_events')
    .select([...columns, 'received_at'])
    .orderBy('created')
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
  if (after) {
    query = query.where(
      sql<boolean>`(created, received_at, id) > (${after.created}, ${after.receivedAt}, ${after.id})`,
    )
  }
  if (pendingOnly) query = query.where('processed_at', 'is', null)
  if (withoutError) query = query.where('error', 'is', null)
  if (strandedBefore) {
    query = query
      .where('processed_at', 'is', null)
      .where('error', 'is', null)
      .where('received_at', '<', strandedBefore)
  }
  const rows = await query.execute()
  return rows.map((r) => ({ ...toEvent(r), receivedAt: r.received_at }))
}

/**
 * The `error` of an event waiting in a reprocess: the periodic sweep (which takes only events
 * without an error) leaves it to the reprocess, which applies the ledger in order alone.
 */
export const AWAITING_REPROCESS = 'awaiting reprocess (npm run billing:reprocess)'

/** Every event pending again (reprocess): `processed_at` cleared, `error` = AWAITING_REPROCESS. */
export async function resetStripeEvents(db: Db): Promise<number> {
  const result = await db
    .updateTable('stripe_events')
    .set({ processed_at: null, error: AWAITING_REPROCESS })
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** How many events the ledger holds, and how many of them are pending or failed. */
export async function countStripeEvents(
  db: Db,
): Promise<{ total: number; pending: number; failed: number }> {
  const row = await db
    .selectFrom('stripe_events')
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where processed_at is null))::int`.as('pending'),
      sql<number>`(count(*) filter (where error is not null))::int`.as('failed'),
    ])
    .executeTakeFirstOrThrow()
  return row
}

/**
 * How many events failed for good: an error kept and never processed (the /billing warning).
 * Transient failures are not counted (stored without an error, retried by the sweep), nor events
 * waiting in an interrupted reprocess (AWAITING_REPROCESS).
 */
export async function countFailedStripeEvents(db: Db): Promise<number> {
  const row = await db
    .selectFrom('stripe_events')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('error', 'is not', null)
    .where('error', '!=', AWAITING_REPROCESS)
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow()
  return row.n
}
