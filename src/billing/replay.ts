import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Db } from '../db/database.js'
import { insertStripeEvent } from '../db/stripe-events.js'
import { parseStripeEvent } from './ingest.js'
import { reprocessLedger, type ReprocessResult } from './reprocess.js'

/** Stripe's events are no older than this (Stripe launched in 2011): earlier is a broken line. */
const EARLIEST_CREATED = Date.UTC(2010, 0, 1) / 1000

/** Why an event's `created` (Unix seconds) is out of 2010-01-01 … receivedAt + 1 day, if it is. */
function createdOutOfRange(created: number, receivedAt: Date): string | undefined {
  const latest = receivedAt.getTime() / 1000 + 86_400
  if (created < EARLIEST_CREATED || created > latest) {
    return 'created is not between 2010-01-01 and a day from now'
  }
  return undefined
}

export type ReplayResult = {
  /** Events newly stored in the ledger. */
  stored: number
  /** Events the ledger already held (skipped). */
  duplicates: number
  /** Lines that are not Stripe events: 1-based line number and why. Nothing was stored for them. */
  bad: { line: number; reason: string }[]
  /** The processing of every pending event afterwards, in created order. */
  processing: ReprocessResult
}

/**
 * Replays a JSON-lines export of Stripe events (`npm run billing:replay -- FILE`, issue 12 item
 * 6): one event object per line (its `created` between 2010-01-01 and a day after `receivedAt`) (a line holding a list object `{"object":"list","data":[…]}`,
 * as `stripe events list` prints, counts as its events). Each line is stored on its own (a bad
 * line stores nothing and is reported by number; duplicates are skipped), then every pending
 * event of the ledger is processed in `(created, received_at, id)` order. Backfilled events older
 * than the projection's state do not overwrite it (the out-of-order rule); for movements exactly
 * in time order, run `billing:reprocess` afterwards.
 * @param receivedAt `received_at` of the stored events
 */
export async function replayStripeExport(
  db: Db,
  file: string,
  options: { receivedAt?: Date; onProgress?: (stored: number) => void } = {},
): Promise<ReplayResult> {
  const receivedAt = options.receivedAt ?? new Date()
  const result: Omit<ReplayResult, 'processing'> = { stored: 0, duplicates: 0, bad: [] }
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })
  let number = 0
  for await (const line of lines) {
    number += 1
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      result.bad.push({ line: number, reason: 'not JSON' })
      continue
    }
    const list = value as { object?: unknown; data?: unknown }
    const items = list?.object === 'list' && Array.isArray(list.data) ? list.data : [value]
    const events = items.map(parseStripeEvent)
    const invalid = events
      .map((e) => ('invalid' in e ? e.invalid : createdOutOfRange(e.created, receivedAt)))
      .find((reason) => reason !== undefined)
    if (invalid) {
      result.bad.push({ line: number, reason: invalid })
      continue
    }
    await db.transaction().execute(async (trx) => {
      for (const event of events) {
        if ('invalid' in event) continue
        if (await insertStripeEvent(trx, event, receivedAt)) result.stored += 1
        else result.duplicates += 1
      }
    })
    options.onProgress?.(result.stored)
  }
  const processing = await reprocessLedger(db, { pendingOnly: true })
  return { ...result, processing }
}
