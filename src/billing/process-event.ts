import type { Db } from '../db/database.js'
import { lockBillingCustomer } from '../db/billing-customer-writes.js'
import { reprocessFenceStands } from '../db/billing-reprocess-fence.js'
import {
  giveUpStripeEventReceivedBefore,
  markStripeEventFailed,
  markStripeEventPending,
  markStripeEventProcessed,
  type StoredStripeEvent,
} from '../db/stripe-events.js'
import { projectCustomer, projectPaymentMethod } from './project-customer.js'
import { projectCoupon, projectDiscount } from './project-discount.js'
import { projectInvoice, projectRefund } from './project-invoice.js'
import { projectSubscription } from './project-subscription.js'
import { customerIdOf } from './stripe-shapes.js'
import { NOT_READY_GIVE_UP_MS, StripeEventNotReady } from './stripe-event-not-ready.js'

// One stored Stripe event applied to the projection (issue 12 item 2).

type Projector = (trx: Db, event: ProjectedEvent) => Promise<void>
type ProjectedEvent = { id: string; type: string; created: Date; object: Record<string, unknown> }

const CUSTOMER_EVENTS = new Set(['customer.created', 'customer.updated', 'customer.deleted'])
const DISCOUNT_EVENTS = new Set([
  'customer.discount.created',
  'customer.discount.updated',
  'customer.discount.deleted',
])
const COUPON_EVENTS = new Set(['coupon.created', 'coupon.updated', 'coupon.deleted'])
const INVOICE_EVENTS = new Set([
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.updated',
])

/** The projector of an event type; undefined for types the projection ignores. */
export function projectorFor(type: string): Projector | undefined {
  if (CUSTOMER_EVENTS.has(type)) return projectCustomer
  if (DISCOUNT_EVENTS.has(type)) return projectDiscount
  if (COUPON_EVENTS.has(type)) return projectCoupon
  // created/updated/deleted/paused/resumed/trial_will_end and any later kind: the object is the state.
  if (type.startsWith('customer.subscription.')) return projectSubscription
  if (INVOICE_EVENTS.has(type)) return projectInvoice
  if (type === 'payment_method.attached') return projectPaymentMethod
  if (type === 'charge.refunded') return projectRefund
  return undefined
}

/**
 * `ok: false` with `retry` when the failure was transient (see isTransientDbError): the event is
 * left pending without an error, for the periodic sweep to process again.
 */
export type ProcessResult =
  | { ok: true; ignored: boolean }
  | { ok: false; error: string; retry?: boolean }
  /** A full reprocess holds the fence: the event stays pending for it (or the sweep) to apply. */
  | { ok: false; held: true }

type EventToProcess = Pick<StoredStripeEvent, 'id' | 'type' | 'created' | 'payload'>

/**
 * The work of processStripeEvent inside the caller's transaction: the customer's lock, the
 * projection, and the event marked processed. Throws what the projection throws.
 * @returns true when the type is one the projection ignores
 */
export async function applyStripeEvent(
  trx: Db,
  event: EventToProcess,
  now: Date,
): Promise<boolean> {
  const projector = projectorFor(event.type)
  if (projector) {
    const data = event.payload.data as { object?: unknown } | undefined
    const object = data?.object
    if (typeof object !== 'object' || object === null) throw new Error('event has no data.object')
    const projected = { ...event, object: object as Record<string, unknown> }
    const customerId = customerIdOf(event.type, projected.object)
    if (customerId) await lockBillingCustomer(trx, customerId)
    await projector(trx, projected)
  }
  await markStripeEventProcessed(trx, event.id, now)
  return !projector
}

/** The message kept in stripe_events.error for a failed processing. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/**
 * A failure worth retrying unchanged: SQLSTATE class 40 (transaction rollback: deadlock 40P01,
 * serialization 40001), 57 (operator intervention: admin shutdown, query canceled) or 08
 * (connection exception), per PostgreSQL's errcodes appendix; node's socket errors (ECONN…) count
 * as class 08.
 */
export function isTransientDbError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return false
  return /^(40|57|08)[0-9A-Z]{3}$/.test(code) || code.startsWith('ECONN')
}

/**
 * Records a failed application of `event` (its transaction rolled back) and says whether it will
 * be retried: transient → nothing stored (pending, the sweep retries); not ready → pending without
 * an error, or processed with the error once received NOT_READY_GIVE_UP_MS before `now`; anything
 * else → its error kept (processed_at null, left to the operator).
 */
export async function recordStripeEventFailure(
  db: Db,
  eventId: string,
  error: unknown,
  now: Date,
): Promise<{ error: string; retry: boolean }> {
  const message = errorText(error)
  if (isTransientDbError(error)) return { error: message, retry: true }
  if (error instanceof StripeEventNotReady) {
    const cutoff = new Date(now.getTime() - NOT_READY_GIVE_UP_MS)
    if (await giveUpStripeEventReceivedBefore(db, eventId, cutoff, message, now)) {
      return { error: message, retry: false }
    }
    await markStripeEventPending(db, eventId)
    return { error: message, retry: true }
  }
  await markStripeEventFailed(db, eventId, message)
  return { error: message, retry: false }
}

/**
 * Applies one ledger event to the projection in one transaction, serialised per customer (an
 * advisory lock on its id), and marks it processed in the same transaction. Idempotent: a second
 * run finds the same `source_created` (equal seconds apply again to the same result) and the
 * movement's unique key. Types the projection does not read are marked processed, no error.
 * A failure rolls everything back and is stored in `stripe_events.error` (processed_at stays
 * null, so `billing:reprocess --pending` retries it); it is returned, never thrown. A transient
 * failure (isTransientDbError) stores no error: the event stays pending for the sweep to retry;
 * so does an event not ready yet (StripeEventNotReady), until it is 24 h old. While a full
 * reprocess holds its fence (src/db/billing-reprocess-fence.ts) nothing is applied: the event stays
 * pending, `{ ok: false, held: true }`, and the reprocess applies it in order.
 * @param now when it was processed (`processed_at`)
 */
export async function processStripeEvent(
  db: Db,
  event: EventToProcess,
  now: Date = new Date(),
): Promise<ProcessResult> {
  try {
    const outcome = await db.transaction().execute(async (trx) => {
      if (await reprocessFenceStands(trx)) return 'held' as const
      return applyStripeEvent(trx, event, now)
    })
    if (outcome === 'held') return { ok: false, held: true }
    return { ok: true, ignored: outcome }
  } catch (error) {
    const failure = await recordStripeEventFailure(db, event.id, error, now)
    return failure.retry ? { ok: false, ...failure } : { ok: false, error: failure.error }
  }
}
