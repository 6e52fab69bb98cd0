import type { Db } from './database.js'

// The flags the tenants filter offers (issue 9 item 4). Kept in memory for a short time so the
// plain /tenants page stays at three statements (issue 6 item 19); the filter itself reads the
// chosen flag's rules fresh when it is used, so a stale list only delays a new key's option.

/** A flag as the filter's select shows it: its key, type and variants. */
export type FlagChoice = { key: string; type: 'boolean' | 'string'; variants: string[] }

/** How long the list is kept, in milliseconds. */
export const FLAG_CHOICES_TTL_MS = 10_000

const kept = new WeakMap<Db, { at: number; choices: Promise<FlagChoice[]> }>()

/**
 * The flags that are not archived, by key, read at most once per `FLAG_CHOICES_TTL_MS` per
 * database handle. `now` is milliseconds since the epoch (the app's clock). A failed read is not
 * kept.
 */
export function listFlagChoicesCached(db: Db, now: number): Promise<FlagChoice[]> {
  const entry = kept.get(db)
  if (entry && now - entry.at < FLAG_CHOICES_TTL_MS && now >= entry.at) return entry.choices
  const choices = db
    .selectFrom('feature_flags')
    .select(['key', 'type', 'variants'])
    .where('archived_at', 'is', null)
    .orderBy('key')
    .execute()
  kept.set(db, { at: now, choices })
  choices.catch(() => kept.delete(db))
  return choices
}
