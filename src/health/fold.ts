import { METRIC_BY_KEY, type Fold } from './metrics.js'

// Downsampling (issue 10 item 3): 10-second samples older than an hour become one row per
// 5 minutes. Per metric, the fold its definition names: the mean (most), the worst (`max`: lags,
// waits, the longest query, tail latency) or the latest (`last`: sizes, limits). Nulls are
// skipped; a metric null throughout stays null.

/** The length of a folded row, in seconds. */
export const FOLD_SECONDS = 300

export type SampleRow = { takenAt: Date; metrics: Record<string, number | null> }

/** The start of the FOLD_SECONDS bucket holding `ms`, in milliseconds since the epoch. */
export function bucketStart(ms: number): number {
  return Math.floor(ms / (FOLD_SECONDS * 1000)) * FOLD_SECONDS * 1000
}

/** `values` folded as `fold` says: mean, max or latest of the numbers; null when there are none. */
export function foldValuesOf(fold: Fold, values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  if (known.length === 0) return null
  if (fold === 'max') return Math.max(...known)
  if (fold === 'last') return known[known.length - 1]
  return known.reduce((a, b) => a + b, 0) / known.length
}

/**
 * One row per 5-minute bucket of `rows`, stamped with the bucket's start, in time order. Keys
 * the catalogue does not know fold to their mean.
 */
export function foldSamples(rows: SampleRow[]): SampleRow[] {
  const buckets = new Map<number, SampleRow[]>()
  const sorted = [...rows].sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime())
  for (const row of sorted) {
    const start = bucketStart(row.takenAt.getTime())
    const bucket = buckets.get(start) ?? []
    bucket.push(row)
    buckets.set(start, bucket)
  }
  return [...buckets.entries()].map(([start, bucket]) => {
    const keys = new Set(bucket.flatMap((r) => Object.keys(r.metrics)))
    const metrics: Record<string, number | null> = {}
    for (const key of keys) {
      const fold = METRIC_BY_KEY.get(key)?.fold ?? 'avg'
      metrics[key] = foldValuesOf(
        fold,
        bucket.map((r) => r.metrics[key] ?? null),
      )
    }
    return { takenAt: new Date(start), metrics }
  })
}
