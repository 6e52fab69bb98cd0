import type { Db } from '../db/database.js'
import { listStripeEventsInOrder } from '../db/stripe-events.js'
import { processStripeEvent } from './process-event.js'

/** Every minute the sweep looks for stranded events. */
export const PENDING_SWEEP_INTERVAL_MS = 60_000

/** An event younger than this is left to the request that stored it. */
export const PENDING_GRACE_MS = 60_000

const LIMIT = 500

/**
 * Processes stranded ledger events (issue 12 item 1): stored but never processed and without an
 * error — a crash between the store and the processing, an interrupted `billing:replay` or
 * `billing:reprocess` — received more than a minute before `now`, in `(created, received_at, id)`
 * order, at most 500 per run. Failed events (with an error) are left to the operator
 * (`billing:reprocess -- --pending`), so a broken event is not retried every minute.
 * @returns how many were processed and how many failed
 */
export async function sweepPendingStripeEvents(
  db: Db,
  now: Date,
): Promise<{ processed: number; failed: number }> {
  const strandedBefore = new Date(now.getTime() - PENDING_GRACE_MS)
  const events = await listStripeEventsInOrder(db, { limit: LIMIT, strandedBefore })
  let processed = 0
  let failed = 0
  for (const event of events) {
    const result = await processStripeEvent(db, event, now)
    // Held by a reprocess's fence: the reprocess applies it, and the rest wait with it.
    if (!result.ok && 'held' in result) break
    if (result.ok) processed += 1
    else failed += 1
  }
  return { processed, failed }
}
