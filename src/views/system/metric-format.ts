import type { MetricUnit } from '../../health/metrics.js'
import { formatBytes } from '../format.js'

/** A value with its unit as the panel shows it: "72.4 %", "12 ms", "1.2 GB", "3.5/s", "42". */
export function formatMetric(unit: MetricUnit, value: number): string {
  // Three significant digits at most, trailing zeros dropped: 72.5, 10, 0.42, 1234.
  const round = (v: number) => {
    const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2
    return String(Number(v.toFixed(digits)))
  }
  switch (unit) {
    case 'percent':
      return `${round(value)} %`
    case 'ms':
      return `${round(value)} ms`
    case 'seconds':
      return `${round(value)} s`
    case 'bytes':
      return formatBytes(value)
    case 'per_second':
      return `${round(value)}/s`
    case 'count':
      return Number.isInteger(value) ? String(value) : round(value)
  }
}

/** The rule of a threshold in words: "warning above 70 %, critical above 90 %". */
export function thresholdText(
  unit: MetricUnit,
  t: { warning: number; critical: number; direction: string },
): string {
  const side = t.direction === 'higher-is-worse' ? 'above' : 'below'
  if (t.warning === t.critical) return `critical ${side} ${formatMetric(unit, t.critical)}`
  return `warning ${side} ${formatMetric(unit, t.warning)}, critical ${side} ${formatMetric(unit, t.critical)}`
}
