import type { Db } from '../db/database.js'
import {
  clearTenantBillingColumns,
  truncateBillingProjection,
} from '../db/billing-tenant-columns.js'
import {
  listStripeEventsInOrder,
  resetStripeEvents,
  type LedgerCursor,
} from '../db/stripe-events.js'
import { applyStripeEvent, recordStripeEventFailure } from './process-event.js'
import { lowerReprocessFence, raiseReprocessFence } from '../db/billing-reprocess-fence.js'

export type ReprocessProgress = { done: number; failed: number }

export type ReprocessResult = {
  /** Events applied (including ignored types). */
  processed: number
  /** Events whose processing failed (their error is in stripe_events.error). */
  failed: number
  seconds: number
}

const BATCH = 200

/**
 * Events applied in order in ONE transaction (one commit for the batch instead of one per event:
 * the cost of reprocessing on a server is its commits), each under a savepoint, so a failing event
 * is rolled back alone and its error kept while the others commit.
 */
async function processStripeEventBatch(
  db: Db,
  events: Parameters<typeof applyStripeEvent>[1][],
  now: Date,
): Promise<{ processed: number; failed: number }> {
  let processed = 0
  let failed = 0
  const trx = await db.startTransaction().execute()
  try {
    for (const event of events) {
      const sp = await trx.savepoint('event').execute()
      try {
        await applyStripeEvent(sp, event, now)
        await sp.releaseSavepoint('event').execute()
        processed += 1
      } catch (error) {
        await sp.rollbackToSavepoint('event').execute()
        await recordStripeEventFailure(trx, event.id, error, now)
        failed += 1
      }
    }
    await trx.commit().execute()
  } catch (error) {
    await trx.rollback().execute()
    throw error
  }
  return { processed, failed }
}

/**
 * Rebuilds the projection from the ledger (issue 12 item 1, `npm run billing:reprocess`). First,
 * in one transaction: billing_customers, saas_billing, saas_invoices, mrr_movements,
 * billing_discounts and billing_coupons truncated,
 * the tenants' three billing columns nulled, every event's processed_at cleared and its error set
 * to AWAITING_REPROCESS (so the periodic sweep leaves them to this run). Then
 * every event in `(created, received_at, id)` order, in batches of 200, each batch one transaction
 * with a savepoint per event (a failing event is rolled back alone, its error kept). Not one transaction overall, but safe to re-run: an
 * interrupted run leaves events pending, and a second run starts again from the truncate
 * (`pendingOnly` finishes it instead). Admin links (billing_customer_links) are kept.
 * With `pendingOnly`, nothing is truncated: only never-processed (or failed) events are applied.
 * A full run raises the reprocess fence before it truncates (src/db/billing-reprocess-fence.ts),
 * so live deliveries are held pending meanwhile; either mode applies the held events in order,
 * then lowers the fence (also one an interrupted run left) and applies what slipped in between.
 * @returns counts and wall-clock seconds
 */
export async function reprocessLedger(
  db: Db,
  options: {
    pendingOnly?: boolean
    onProgress?: (p: ReprocessProgress) => void
    now?: () => Date
  } = {},
): Promise<ReprocessResult> {
  const started = performance.now()
  const now = options.now ?? (() => new Date())
  if (!options.pendingOnly) {
    await db.transaction().execute(async (trx) => {
      await raiseReprocessFence(trx, now())
      await truncateBillingProjection(trx)
      await clearTenantBillingColumns(trx)
      await resetStripeEvents(trx)
    })
  }
  const totals = { processed: 0, failed: 0 }
  const pass = (withoutError: boolean) =>
    applyPendingInOrder(db, totals, now, withoutError, options.onProgress)
  await pass(false)
  // Events that arrived during the pass (held by the fence, older than the cursor perhaps): in
  // order now, leaving the ones that just failed alone. Then the fence comes down — also one an
  // interrupted run left — and whatever slipped in between is applied too.
  await pass(true)
  await lowerReprocessFence(db)
  await pass(true)
  return { ...totals, seconds: (performance.now() - started) / 1000 }
}

/** Every pending event in `(created, received_at, id)` order, in batches; adds to `totals`. */
async function applyPendingInOrder(
  db: Db,
  totals: { processed: number; failed: number },
  now: () => Date,
  withoutError: boolean,
  onProgress?: (p: ReprocessProgress) => void,
): Promise<void> {
  let after: LedgerCursor | undefined
  for (;;) {
    const batch = await listStripeEventsInOrder(db, {
      after,
      limit: BATCH,
      pendingOnly: true,
      withoutError,
    })
    if (batch.length === 0) return
    const counts = await processStripeEventBatch(db, batch, now())
    totals.processed += counts.processed
    totals.failed += counts.failed
    const last = batch[batch.length - 1]!
    after = { created: last.created, receivedAt: last.receivedAt, id: last.id }
    onProgress?.({ done: totals.processed, failed: totals.failed })
  }
}
