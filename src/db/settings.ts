import type { Db } from './database.js'

// Cluster settings as key → JSON value rows in public.settings.

/**
 * How long an instance serves settings from memory before reading them again, in milliseconds.
 * The instance that changes a setting drops its copy at once (invalidateSettingsCache); other
 * instances see the change within this time. A plain time-to-live rather than a version counter:
 * checking a version costs the same round trip as re-reading this tiny table.
 */
export const SETTINGS_TTL_MS = 5_000

type CachedSettings = { values: Map<string, unknown>; loadedAt: number; generation: number }

// Keyed on the app's root Kysely instance, so tests with several databases never share a copy.
const cached = new WeakMap<Db, CachedSettings>()
let generation = 0

/**
 * Drops every in-memory copy of the settings in this process. setGlobalAllowlist calls it
 * (before its transaction commits); callers call it again after the commit, so a request that
 * re-read the settings between the two cannot keep the old value for a whole TTL.
 */
export function invalidateSettingsCache(): void {
  generation++
}

/**
 * Every setting (key → JSON value) from memory, at most SETTINGS_TTL_MS old (one query per TTL
 * per instance): for the request path. `nowMs` is the app clock, in milliseconds since the epoch.
 */
export async function readCachedSettings(db: Db, nowMs: number): Promise<Map<string, unknown>> {
  const hit = cached.get(db)
  const age = hit ? nowMs - hit.loadedAt : Infinity
  if (hit && hit.generation === generation && age >= 0 && age < SETTINGS_TTL_MS) {
    return hit.values
  }
  const at = generation
  const rows = await db.selectFrom('settings').select(['key', 'value']).execute()
  const values = new Map<string, unknown>(rows.map((r) => [r.key, r.value]))
  if (at === generation) cached.set(db, { values, loadedAt: nowMs, generation: at })
  return values
}

/**
 * The global IP allowlist as the request path needs it: from memory, at most SETTINGS_TTL_MS
 * old, so the check before every request costs no query. Reads that must see the row itself
 * (the settings page, the audited change) use getGlobalAllowlist.
 * @param nowMs the app clock, in milliseconds since the epoch
 */
export async function getCachedGlobalAllowlist(db: Db, nowMs: number): Promise<string[]> {
  const value = (await readCachedSettings(db, nowMs)).get('ip_allowlist')
  return Array.isArray(value) ? (value as string[]) : []
}

/**
 * The global IP allowlist (CIDRs); [] = no restriction. With `forUpdate` (inside a transaction),
 * the row stays locked until commit, so the audited "before" is the list actually replaced.
 */
export async function getGlobalAllowlist(
  db: Db,
  options: { forUpdate?: boolean } = {},
): Promise<string[]> {
  let query = db.selectFrom('settings').select('value').where('key', '=', 'ip_allowlist')
  if (options.forUpdate) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return Array.isArray(row?.value) ? (row.value as string[]) : []
}

/**
 * Replaces the global IP allowlist; run inside the transaction that audits it, and call
 * invalidateSettingsCache after that transaction commits.
 */
export async function setGlobalAllowlist(
  trx: Db,
  entries: string[],
  updatedBy: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('settings')
    .values({
      key: 'ip_allowlist',
      value: JSON.stringify(entries),
      updated_at: now,
      updated_by: updatedBy,
    })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ value: JSON.stringify(entries), updated_at: now, updated_by: updatedBy }),
    )
    .execute()
  invalidateSettingsCache()
}
