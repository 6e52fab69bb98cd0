import type { Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database } from './schema.js'

// What rotating the tenant signing key ends (issue 10 item 6; seed 002: "invalidates every
// tenant session immediately"): impersonations still running, and among them the kit sessions —
// those whose handoff a tenant app redeemed, so a tenant app holds a session for them.

/** Live = not ended and not past `expires_at`; a kit session = live with its handoff redeemed. */
export type LiveImpersonationCounts = { impersonations: number; kitSessions: number }

/** How many impersonations are live at `now`, and how many of them are kit sessions. */
export async function countLiveImpersonations(db: Db, now: Date): Promise<LiveImpersonationCounts> {
  const row = await db
    .selectFrom('impersonations')
    .select((eb) => [
      eb.fn.countAll<number>().as('impersonations'),
      eb.fn.count<number>('handoff_used_at').as('kitSessions'),
    ])
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow()
  return { impersonations: Number(row.impersonations), kitSessions: Number(row.kitSessions) }
}

/**
 * The live impersonations at `now` (id, operator, whether a tenant app redeemed the handoff),
 * locked FOR UPDATE so none ends or starts its handoff under the rotation's feet. Committed rows
 * only: the caller holds the signing-key lock exclusively first (beginSigningKeyRotation), so no
 * start signing with the old key is still uncommitted.
 */
export async function lockLiveImpersonations(
  trx: Transaction<Database>,
  now: Date,
): Promise<{ id: string; operatorId: string; kitSession: boolean }[]> {
  const rows = await trx
    .selectFrom('impersonations')
    .select(['id', 'operator_id', 'handoff_used_at'])
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('started_at')
    .forUpdate()
    .execute()
  return rows.map((r) => ({
    id: r.id,
    operatorId: r.operator_id,
    kitSession: r.handoff_used_at !== null,
  }))
}
