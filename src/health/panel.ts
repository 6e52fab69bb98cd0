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

/** One point per minute over the hour before `now`, labelled `HH:MM` (UTC). */
export function minuteTrend(def: MetricDef, history: SampleRow[], now: Date): SparklinePoint[] {
  const end = Math.floor(now.getTime() / 60_000) * 60_000
  const start = end - 59 * 60_000
  const minutes = new Map<number, (number | null)[]>()
  for (const row of history) {
    const minute = Math.floor(row.takenAt.getTime() / 60_000) * 60_000
    if (minute < start || minute > end) continue
    const list = minutes.get(minute) ?? []
    list.push(row.metrics[def.key] ?? null)
    minutes.set(minute, list)
  }
  const points: SparklinePoint[] = []
  for (let m = start; m <= end; m += 60_000) {
    const label = new Date(m).toISOString().slice(11, 16)
    points.push({ label, value: foldValuesOf(def.fold, minutes.get(m) ?? []) })
  }
  return points
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
        trend: missing === EMBEDDED_MISSING ? [] : minuteTrend(def, input.history, input.now),
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
