import type { SparklinePoint } from '../views/components/sparkline.js'
import { foldValuesOf } from './fold.js'
import {
  METRIC_GROUPS,
  METRICS,
  metricState,
  THRESHOLD_BY_ID,
  type HealthState,
  type MetricDef,
  type MetricGroup,
  type ThresholdSet,
} from './metrics.js'
import type { SampleRow } from './fold.js'

// What /system shows, from one sample, the last hour of samples and the thresholds in force:
// every metric with its state, value, trend and advice, grouped, and the banner's counts. Pure,
// so the view stays a function of its props and the rules are tested without a page.

export type MetricRow = {
  def: MetricDef
  value: number | null
  state: HealthState
  /** Why there is no value, in place of one (embedded database, no replicas, first sample…). */
  missing?: string
  /** The threshold's "what to do" line, when the state is warning or critical. */
  advice?: string
  /** The threshold in force, for the row's text ("warning above 70 %"). */
  thresholds?: { warning: number; critical: number; direction: string }
  /** The backend pid beside the longest query. */
  pid?: number
  /** One point a minute over the last hour (the minute's mean, or its worst for max metrics). */
  trend: SparklinePoint[]
}

export type PanelModel = {
  takenAt: Date
  groups: { group: MetricGroup; rows: MetricRow[] }[]
  warnings: number
  critical: number
}

export const EMBEDDED_MISSING = 'Not available on the embedded database.'

/** The last hour's samples cut into its 60 minutes (oldest first), each with its rows. */
export type MinuteBins = { label: string; rows: SampleRow[] }[]

/** Cuts `history` into the 60 minutes ending with the minute of `now`, labelled `HH:MM` (UTC). */
export function minuteBins(history: SampleRow[], now: Date): MinuteBins {
  const end = Math.floor(now.getTime() / 60_000) * 60_000
  const start = end - 59 * 60_000
  const bins: MinuteBins = []
  for (let m = start; m <= end; m += 60_000)
    bins.push({ label: new Date(m).toISOString().slice(11, 16), rows: [] })
  for (const row of history) {
    const i = Math.floor((row.takenAt.getTime() - start) / 60_000)
    if (i >= 0 && i < bins.length) bins[i].rows.push(row)
  }
  return bins
}

/** One point per minute: the minute's mean, or its worst/latest as the metric folds. */
export function minuteTrend(def: MetricDef, bins: MinuteBins): SparklinePoint[] {
  return bins.map((bin) => ({
    label: bin.label,
    value: foldValuesOf(
      def.fold,
      bin.rows.map((r) => r.metrics[def.key] ?? null),
    ),
  }))
}

/**
 * The panel for `sample`: rows of every metric of the catalogue (Redis only when configured;
 * hidden metrics left out), states under `thresholds`, trends from `history` (10-second rows).
 */
export function buildPanel(input: {
  sample: SampleRow
  history: SampleRow[]
  thresholds: ThresholdSet
  embedded: boolean
  redis: boolean
  now: Date
}): PanelModel {
  const { sample, thresholds } = input
  const bins = minuteBins(input.history, input.now)
  let warnings = 0
  let critical = 0
  const groups = METRIC_GROUPS.filter((g) => g !== 'Redis' || input.redis).map((group) => ({
    group,
    rows: METRICS.filter((m) => m.group === group && !m.hidden).map((def): MetricRow => {
      const raw = sample.metrics[def.key]
      const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null
      const state = metricState(def, value, thresholds)
      if (state === 'warning') warnings++
      if (state === 'critical') critical++
      const threshold = def.threshold ? THRESHOLD_BY_ID.get(def.threshold) : undefined
      const pair = threshold && thresholds[threshold.id]
      const missing =
        value !== null
          ? undefined
          : input.embedded && def.serverOnly
            ? EMBEDDED_MISSING
            : (def.whyMissing ?? 'Could not be read in this sample.')
      const pid = sample.metrics['pg.longest_query_pid']
      return {
        def,
        value,
        state,
        missing,
        advice: state === 'warning' || state === 'critical' ? threshold?.advice : undefined,
        thresholds: pair && threshold ? { ...pair, direction: threshold.direction } : undefined,
        pid: def.key === 'pg.longest_query_seconds' && typeof pid === 'number' ? pid : undefined,
        trend: missing === EMBEDDED_MISSING ? [] : minuteTrend(def, bins),
      }
    }),
  }))
  return { takenAt: sample.takenAt, groups, warnings, critical }
}

/** The banner: "All healthy" or "1 warning, 2 critical". */
export function statusLine(model: Pick<PanelModel, 'warnings' | 'critical'>): string {
  if (model.warnings === 0 && model.critical === 0) return 'All healthy'
  const parts: string[] = []
  if (model.warnings > 0) parts.push(`${model.warnings} warning${model.warnings === 1 ? '' : 's'}`)
  if (model.critical > 0) parts.push(`${model.critical} critical`)
  return parts.join(', ')
}
