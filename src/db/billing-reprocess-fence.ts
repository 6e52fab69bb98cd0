import { sql } from 'kysely'
import type { Db } from './database.js'
import { deleteSettingRow, readSettingRow, writeSettingRow } from './setting-rows.js'

// The fence between a full `billing:reprocess` and live webhook processing (issue 12 item 1).
// While a reprocess rebuilds the projection, a live event applied on the half-rebuilt state would
// be classified against it (a `new` movement where history says `expansion`), and the replay
// would then skip the older events it overtook. So the reprocess raises a fence (a settings row)
// and live processing leaves events pending while it stands; the reprocess applies them in order
// before it lowers the fence. An advisory lock closes the race at the edge: raising takes it
// exclusively, every live check shares it, so no live transaction that read "no fence" is still
// running once the projection is truncated. A fence left by an interrupted run stands until a
// reprocess (full or --pending) finishes: events wait, /billing says so, nothing is lost.

const FENCE_KEY = 'billing.reprocess'
/** pg_advisory lock key of the fence ("billing" in ASCII, as a bigint). */
const FENCE_LOCK = 0x62696c6c696e67

/**
 * Raises the fence inside the reprocess's first transaction (before it truncates), waiting for
 * live transactions that already passed the check to finish. `startedAt` is shown on /billing.
 */
export async function raiseReprocessFence(trx: Db, startedAt: Date): Promise<void> {
  await sql`select pg_advisory_xact_lock(${FENCE_LOCK}::bigint)`.execute(trx)
  await writeSettingRow(trx, FENCE_KEY, { startedAt: startedAt.toISOString() }, null, startedAt)
}

/** Lowers the fence; live processing applies events again from the next one. */
export async function lowerReprocessFence(db: Db): Promise<void> {
  await deleteSettingRow(db, FENCE_KEY)
}

/**
 * True when a reprocess holds the fence; run first inside the live transaction that would apply
 * an event (it shares the fence's lock until that transaction ends).
 */
export async function reprocessFenceStands(trx: Db): Promise<boolean> {
  await sql`select pg_advisory_xact_lock_shared(${FENCE_LOCK}::bigint)`.execute(trx)
  return (await readSettingRow(trx, FENCE_KEY)) !== undefined
}

/** When the standing fence was raised, for /billing; undefined when none stands. */
export async function findReprocessFence(db: Db): Promise<Date | undefined> {
  const value = (await readSettingRow(db, FENCE_KEY)) as { startedAt?: string } | undefined
  return value?.startedAt ? new Date(value.startedAt) : undefined
}
