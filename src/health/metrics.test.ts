import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  effectiveThresholds,
  METRIC_BY_KEY,
  METRICS,
  metricState,
  stateOf,
  THRESHOLD_BY_ID,
  THRESHOLDS,
} from './metrics.js'

describe('thresholds → states', () => {
  it('the pool is healthy up to 70 %, a warning above it up to 90 %, critical above 90 % (seed 002)', () => {
    const pool = effectiveThresholds().pool
    const at = (v: number) => stateOf('higher-is-worse', v, pool)
    expect([0, 69.9, 70].map(at)).toEqual(['healthy', 'healthy', 'healthy'])
    expect([70.01, 85, 90].map(at)).toEqual(['warning', 'warning', 'warning'])
    expect([90.01, 100].map(at)).toEqual(['critical', 'critical'])
  })

  it('a job queue of 50 is healthy and 51 critical, with no warning band between', () => {
    const depth = effectiveThresholds().queue_depth
    expect(stateOf('higher-is-worse', 50, depth)).toBe('healthy')
    expect(stateOf('higher-is-worse', 51, depth)).toBe('critical')
  })

  it('the cache hit rate warns below 99 % and is critical below 95 %', () => {
    const hit = effectiveThresholds().cache_hit
    const at = (v: number) => stateOf('lower-is-worse', v, hit)
    expect([100, 99].map(at)).toEqual(['healthy', 'healthy'])
    expect([98.9, 95].map(at)).toEqual(['warning', 'warning'])
    expect(at(94.9)).toBe('critical')
  })

  it('a value that could not be read is unknown, never healthy', () => {
    for (const v of [null, undefined, NaN, Infinity, -Infinity])
      expect(stateOf('higher-is-worse', v, { warning: 1, critical: 2 })).toBe('unknown')
  })

  it('the state never improves as a higher-is-worse value grows, for any valid thresholds', () => {
    const rank = { healthy: 0, warning: 1, critical: 2, unknown: -1 }
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (a, b, x, y) => {
          const t = { warning: Math.min(a, b), critical: Math.max(a, b) }
          const [lo, hi] = [Math.min(x, y), Math.max(x, y)]
          expect(rank[stateOf('higher-is-worse', hi, t)]).toBeGreaterThanOrEqual(
            rank[stateOf('higher-is-worse', lo, t)],
          )
          // Lower-is-worse mirrors it: negate values and thresholds.
          const mirrored = { warning: -t.warning, critical: -t.critical }
          expect(stateOf('lower-is-worse', -hi, mirrored)).toBe(stateOf('higher-is-worse', hi, t))
        },
      ),
    )
  })

  it('every default pair has its warning on the healthy side of critical, and every metric names a known threshold', () => {
    for (const t of THRESHOLDS) {
      if (t.direction === 'higher-is-worse')
        expect(t.defaults.warning).toBeLessThanOrEqual(t.defaults.critical)
      else expect(t.defaults.warning).toBeGreaterThanOrEqual(t.defaults.critical)
    }
    for (const m of METRICS) if (m.threshold) expect(THRESHOLD_BY_ID.has(m.threshold)).toBe(true)
    expect(new Set(METRICS.map((m) => m.key)).size).toBe(METRICS.length)
  })

  it('an override replaces only the threshold it names', () => {
    const set = effectiveThresholds({ cpu: { warning: 50, critical: 60 } })
    expect(set.cpu).toEqual({ warning: 50, critical: 60 })
    expect(set.pool).toEqual({ warning: 70, critical: 90 })
    const cpu = METRIC_BY_KEY.get('host.cpu_percent')!
    expect(metricState(cpu, 55, set)).toBe('warning')
    expect(metricState(cpu, 55, effectiveThresholds())).toBe('healthy')
  })

  it('a metric without a threshold is healthy when read and unknown when not', () => {
    const rss = METRIC_BY_KEY.get('node.rss_bytes')!
    expect(metricState(rss, 1e12, effectiveThresholds())).toBe('healthy')
    expect(metricState(rss, null, effectiveThresholds())).toBe('unknown')
  })
})
