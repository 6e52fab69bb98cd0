import type { Db } from './database.js'
import { THRESHOLD_BY_ID, type ThresholdSet } from '../health/metrics.js'
import { invalidateSettingsCache } from './settings.js'

// The health thresholds an owner changed, in public.settings under 'health_thresholds': a JSON
// object of threshold id → { warning, critical }, overrides only (defaults live in the code, so a
// better default reaches every cluster that did not choose its own).

const KEY = 'health_thresholds'

/** Keeps only well-formed entries for known thresholds: a stale or hand-edited row cannot break /system. */
function cleanOverrides(value: unknown): Partial<ThresholdSet> {
  const out: Partial<ThresholdSet> = {}
  if (!value || typeof value !== 'object') return out
  for (const [id, pair] of Object.entries(value as Record<string, unknown>)) {
    if (!THRESHOLD_BY_ID.has(id) || !pair || typeof pair !== 'object') continue
    const { warning, critical } = pair as Record<string, unknown>
    if (typeof warning === 'number' && typeof critical === 'number') out[id] = { warning, critical }
  }
  return out
}

/**
 * The stored overrides ({} when none). With `forUpdate` (inside a transaction) the row stays
 * locked until commit, so the audited "before" is what was replaced.
 */
export async function getThresholdOverrides(
  db: Db,
  options: { forUpdate?: boolean } = {},
): Promise<Partial<ThresholdSet>> {
  let query = db.selectFrom('settings').select('value').where('key', '=', KEY)
  if (options.forUpdate) query = query.forUpdate()
  return cleanOverrides((await query.executeTakeFirst())?.value)
}

/** Replaces the overrides; `{}` deletes the row (every threshold back to its default). */
export async function setThresholdOverrides(
  trx: Db,
  overrides: Partial<ThresholdSet>,
  updatedBy: string,
  now: Date,
): Promise<void> {
  if (Object.keys(overrides).length === 0) {
    await trx.deleteFrom('settings').where('key', '=', KEY).execute()
  } else {
    const value = JSON.stringify(overrides)
    await trx
      .insertInto('settings')
      .values({ key: KEY, value, updated_at: now, updated_by: updatedBy })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: updatedBy }),
      )
      .execute()
  }
  invalidateSettingsCache()
}
