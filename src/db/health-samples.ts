import type { Db } from './database.js'
import { bucketStart, FOLD_SECONDS, foldSamples, type SampleRow } from '../health/fold.js'

// health_samples (issue 10 item 3): 10-second rows for an hour, then 5-minute folds for 7 days.

/** Seconds between raw samples (their resolution_seconds). */
export const RAW_SECONDS = 10
/** Raw rows older than this (ms) are folded. */
export const RAW_KEPT_MS = 60 * 60_000
/** Rows of either resolution older than this (ms) are deleted. */
export const SAMPLES_KEPT_MS = 7 * 24 * 60 * 60_000

export type StoredSample = SampleRow & { instance: string }

/** Stores one raw 10-second sample taken by `instance` (`host:pid`). */
export async function insertHealthSample(db: Db, sample: StoredSample): Promise<void> {
  await db
    .insertInto('health_samples')
    .values({
      taken_at: sample.takenAt,
      resolution_seconds: RAW_SECONDS,
      instance: sample.instance,
      metrics: JSON.stringify(sample.metrics),
    })
    .execute()
}

/** The newest raw sample, or undefined when none is stored. */
export async function findLatestHealthSample(db: Db): Promise<StoredSample | undefined> {
  const row = await db
    .selectFrom('health_samples')
    .select(['taken_at', 'metrics', 'instance'])
    .where('resolution_seconds', '=', RAW_SECONDS)
    .orderBy('taken_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row && { takenAt: row.taken_at, metrics: row.metrics, instance: row.instance }
}

/** Samples of `resolutionSeconds` taken after `since`, oldest first. */
export async function listHealthSamples(
  db: Db,
  resolutionSeconds: number,
  since: Date,
): Promise<SampleRow[]> {
  const rows = await db
    .selectFrom('health_samples')
    .select(['taken_at', 'metrics'])
    .where('resolution_seconds', '=', resolutionSeconds)
    .where('taken_at', '>', since)
    .orderBy('taken_at')
    .execute()
  return rows.map((r) => ({ takenAt: r.taken_at, metrics: r.metrics }))
}

/** Ids of the raw samples taken after `since`, oldest first (no metrics: cheap to read often). */
export async function listHealthSampleIds(db: Db, since: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('health_samples')
    .select('id')
    .where('resolution_seconds', '=', RAW_SECONDS)
    .where('taken_at', '>', since)
    .orderBy('taken_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => r.id)
}

/** The samples with these ids, by id. */
export async function listHealthSamplesByIds(
  db: Db,
  ids: number[],
): Promise<Map<number, SampleRow>> {
  const rows = await db
    .selectFrom('health_samples')
    .select(['id', 'taken_at', 'metrics'])
    .where('id', 'in', ids)
    .execute()
  return new Map(rows.map((r) => [r.id, { takenAt: r.taken_at, metrics: r.metrics }]))
}

/**
 * Folds raw rows older than an hour before `now` into 5-minute rows (see foldSamples) and
 * deletes them, in one transaction. Only whole buckets fold: a bucket that still has rows under
 * an hour old waits for the next run, so no bucket is ever folded twice and no row is lost at
 * the cut. The raw rows are locked first; a second folder at once would find them gone.
 * @returns how many raw rows were folded into how many 5-minute rows
 */
export async function foldHealthSamples(
  db: Db,
  now: Date,
): Promise<{ folded: number; written: number }> {
  const cut = new Date(bucketStart(now.getTime() - RAW_KEPT_MS))
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('health_samples')
      .select(['id', 'taken_at', 'metrics'])
      .where('resolution_seconds', '=', RAW_SECONDS)
      .where('taken_at', '<', cut)
      .forUpdate()
      .execute()
    if (rows.length === 0) return { folded: 0, written: 0 }
    const folds = foldSamples(rows.map((r) => ({ takenAt: r.taken_at, metrics: r.metrics })))
    await trx
      .insertInto('health_samples')
      .values(
        folds.map((f) => ({
          taken_at: f.takenAt,
          resolution_seconds: FOLD_SECONDS,
          instance: 'fold',
          metrics: JSON.stringify(f.metrics),
        })),
      )
      .execute()
    await trx
      .deleteFrom('health_samples')
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute()
    return { folded: rows.length, written: folds.length }
  })
}

/** Deletes samples of any resolution older than 7 days before `now`; returns how many. */
export async function pruneHealthSamples(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('health_samples')
    .where('taken_at', '<', new Date(now.getTime() - SAMPLES_KEPT_MS))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
