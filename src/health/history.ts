import type { Db } from '../db/database.js'
import { listHealthSampleIds, listHealthSamplesByIds } from '../db/health-samples.js'
import type { SampleRow } from './fold.js'

// The last hour of 10-second samples behind the panel's trends. Every poll needs all ~360 of
// them, but only one is new since the previous poll: the ids and times are read every time
// (cheap, no JSON), and only the rows not yet held are fetched whole. What the table no longer
// has (folded, pruned, deleted) is dropped, so the copy never disagrees with the table.

const held = new WeakMap<Db, Map<number, SampleRow>>()

/** Raw samples taken after `since`, oldest first, as listHealthSamples returns them. */
export async function readRecentSamples(db: Db, since: Date): Promise<SampleRow[]> {
  const ids = await listHealthSampleIds(db, since)
  const known = held.get(db) ?? new Map<number, SampleRow>()
  const missing = ids.filter((id) => !known.has(id))
  const fetched = missing.length > 0 ? await listHealthSamplesByIds(db, missing) : new Map()
  const next = new Map<number, SampleRow>()
  const rows: SampleRow[] = []
  for (const id of ids) {
    const row = known.get(id) ?? fetched.get(id)
    if (!row) continue
    next.set(id, row)
    rows.push(row)
  }
  held.set(db, next)
  return rows
}
