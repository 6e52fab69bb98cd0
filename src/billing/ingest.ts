import type { Db } from '../db/database.js'
import { findStripeEvent, insertStripeEvent, type StripeEventInput } from '../db/stripe-events.js'
import { processStripeEvent } from './process-event.js'

/**
 * Reads a parsed Stripe event into what the ledger stores, or says why it is not one (id, type,
 * created in Unix seconds and a data.object are required).
 */
export function parseStripeEvent(value: unknown): StripeEventInput | { invalid: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { invalid: 'not a JSON object' }
  }
  const e = value as Record<string, unknown>
  if (typeof e.id !== 'string' || e.id === '') return { invalid: 'no event id' }
  if (typeof e.type !== 'string' || e.type === '') return { invalid: 'no event type' }
  if (typeof e.created !== 'number' || !Number.isFinite(e.created)) {
    return { invalid: 'no created time' }
  }
  const data = e.data as Record<string, unknown> | undefined
  if (
    typeof data !== 'object' ||
    data === null ||
    typeof data.object !== 'object' ||
    data.object === null
  ) {
    return { invalid: 'no data.object' }
  }
  return { id: e.id, type: e.type, created: e.created, livemode: e.livemode === true, payload: e }
}

export type IngestResult = { stored: boolean; processed: boolean; error?: string }

/**
 * Stores one Stripe event in the ledger (committed on its own) and then processes it in a
 * transaction of its own (issue 12 item 1). A duplicate is not stored again and is processed only
 * when it never was (a crash between store and process; Stripe redelivers what it did not see
 * acknowledged). `processed` is true when this call processed it; a processing failure is kept
 * in `stripe_events.error` and returned as `error`, the event staying stored.
 * @param receivedAt `received_at` (the app's clock)
 * @throws TypeError when `event` is not a Stripe event (see parseStripeEvent)
 */
export async function ingestStripeEvent(
  db: Db,
  event: unknown,
  receivedAt: Date,
): Promise<IngestResult> {
  const parsed = parseStripeEvent(event)
  if ('invalid' in parsed) throw new TypeError(`not a Stripe event: ${parsed.invalid}`)
  const stored = await insertStripeEvent(db, parsed, receivedAt)
  if (!stored) {
    const existing = await findStripeEvent(db, parsed.id)
    if (!existing || existing.processedAt !== null || existing.error !== null) {
      return { stored: false, processed: false }
    }
  }
  const row = {
    id: parsed.id,
    type: parsed.type,
    created: new Date(parsed.created * 1000),
    payload: parsed.payload,
  }
  const result = await processStripeEvent(db, row, receivedAt)
  if (result.ok) return { stored, processed: true }
  // Held while a reprocess rebuilds the projection: stored and pending, it applies it in order.
  if ('held' in result) return { stored, processed: false }
  return { stored, processed: false, error: result.error }
}
