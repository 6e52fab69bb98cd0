import { sql } from 'kysely'
import type { Db } from './database.js'
import type { MrrMovementKind } from './schema.js'

// mrr_movements as they happen (issue 12 item 3): written by the event that moved the MRR.

/**
 * Whether the customer had any movement in `currency` before: a return from 0 is a reactivation.
 * With `before` (the event's created), only movements that occurred at or before it count, other
 * than the event's own (`eventId`): an event applied out of order is not classified by movements
 * that happened after it.
 */
export async function hasEarlierMovement(
  db: Db,
  customerId: string,
  currency: string,
  options: { before?: Date; eventId?: string } = {},
): Promise<boolean> {
  let query = db
    .selectFrom('mrr_movements')
    .select(sql<number>`1`.as('one'))
    .where('customer_id', '=', customerId)
    .where('currency', '=', currency)
  if (options.before) query = query.where('occurred_at', '<=', options.before)
  if (options.eventId) query = query.where('event_id', '!=', options.eventId)
  const row = await query.limit(1).executeTakeFirst()
  return row !== undefined
}

/**
 * Stores one movement (cents of `currency`; `occurredAt` = the event's created). The unique
 * `(event_id, customer_id, currency)` makes a second run of the same event a no-op.
 */
export async function insertMrrMovement(
  db: Db,
  movement: {
    eventId: string
    customerId: string
    tenantId: string | null
    currency: string
    kind: MrrMovementKind
    beforeCents: number
    afterCents: number
    occurredAt: Date
  },
): Promise<void> {
  await db
    .insertInto('mrr_movements')
    .values({
      event_id: movement.eventId,
      customer_id: movement.customerId,
      tenant_id: movement.tenantId,
      currency: movement.currency,
      kind: movement.kind,
      mrr_before_cents: movement.beforeCents,
      mrr_after_cents: movement.afterCents,
      delta_cents: movement.afterCents - movement.beforeCents,
      occurred_at: movement.occurredAt,
    })
    .onConflict((oc) => oc.columns(['event_id', 'customer_id', 'currency']).doNothing())
    .execute()
}
