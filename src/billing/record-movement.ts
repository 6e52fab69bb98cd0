import type { Db } from '../db/database.js'
import { hasEarlierMovement, insertMrrMovement } from '../db/mrr-movement-writes.js'
import { sumCustomerMrr } from '../db/billing-subscription-writes.js'
import { classifyMovement } from './mrr.js'

/** A customer's MRR per currency (cents), read before a change. */
export type MrrSnapshot = Map<string, number>

/** The customer's current MRR in each of `currencies` (sum of its subscriptions' mrr_cents). */
export async function readCustomerMrr(
  trx: Db,
  customerId: string,
  currencies: Iterable<string>,
): Promise<MrrSnapshot> {
  const snapshot: MrrSnapshot = new Map()
  for (const currency of new Set(currencies)) {
    snapshot.set(currency, await sumCustomerMrr(trx, customerId, currency))
  }
  return snapshot
}

/**
 * Records the MRR movements one event made (issue 12 item 3, "stored as they happen"): for each
 * currency of `before`, the customer's MRR now against then, classified by `classifyMovement`
 * (src/billing/mrr.ts) with "paid before" = a movement of the customer in that currency that occurred at or before
 * the event (another event's).
 * `occurred_at` is the event's created. Runs in the event's transaction, under the customer lock.
 * @returns how many movements were written
 */
export async function recordMrrMovements(
  trx: Db,
  event: { id: string; created: Date },
  customer: { id: string; tenantId: string | null },
  before: MrrSnapshot,
): Promise<number> {
  let written = 0
  for (const [currency, beforeCents] of before) {
    const afterCents = await sumCustomerMrr(trx, customer.id, currency)
    const paidBefore = await hasEarlierMovement(trx, customer.id, currency, {
      before: event.created,
      eventId: event.id,
    })
    const kind = classifyMovement(beforeCents, afterCents, paidBefore)
    if (!kind) continue
    await insertMrrMovement(trx, {
      eventId: event.id,
      customerId: customer.id,
      tenantId: customer.tenantId,
      currency,
      kind,
      beforeCents,
      afterCents,
      occurredAt: event.created,
    })
    written += 1
  }
  return written
}
