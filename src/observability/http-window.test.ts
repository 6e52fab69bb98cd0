import { describe, expect, it } from 'vitest'
import { HttpWindow, LATENCY_BOUNDS_MS } from './http-window.js'

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0)

describe('HttpWindow', () => {
  it('has no percentiles and no error rate before any request', () => {
    expect(new HttpWindow().stats('minute', T0)).toEqual({
      requests: 0,
      errors: 0,
      errorRate: null,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
    })
  })

  it('puts p50, p95 and p99 in the buckets that hold them, within 20 % above', () => {
    const w = new HttpWindow()
    for (let i = 1; i <= 100; i++) w.record(i, 200, T0)
    const s = w.stats('minute', T0)
    expect(s.requests).toBe(100)
    expect(s.p50Ms).toBeGreaterThanOrEqual(50)
    expect(s.p50Ms).toBeLessThanOrEqual(60)
    expect(s.p95Ms).toBeGreaterThanOrEqual(95)
    expect(s.p95Ms).toBeLessThanOrEqual(114)
    expect(s.p99Ms).toBeGreaterThanOrEqual(99)
    expect(s.p99Ms).toBeLessThanOrEqual(119)
  })

  it('counts 5xx responses as errors, not 4xx', () => {
    const w = new HttpWindow()
    w.record(5, 200, T0)
    w.record(5, 404, T0)
    w.record(5, 500, T0)
    w.record(5, 503, T0)
    expect(w.stats('minute', T0)).toMatchObject({ requests: 4, errors: 2, errorRate: 0.5 })
  })

  it('forgets a request after a minute in the minute window but keeps it in the hour', () => {
    const w = new HttpWindow()
    w.record(10, 500, T0)
    expect(w.stats('minute', T0 + 59_000).requests).toBe(1)
    expect(w.stats('minute', T0 + 60_000).requests).toBe(0)
    expect(w.stats('hour', T0 + 59 * 60_000).requests).toBe(1)
    expect(w.stats('hour', T0 + 60 * 60_000).requests).toBe(0)
  })

  it('reuses a slot after it wraps around instead of adding to an hour-old count', () => {
    const w = new HttpWindow()
    w.record(10, 200, T0)
    w.record(10, 200, T0 + 3_600_000)
    expect(w.stats('hour', T0 + 3_600_000).requests).toBe(1)
  })

  it('reports a request slower than every bound at the largest finite bound', () => {
    const w = new HttpWindow()
    w.record(10_000_000, 200, T0)
    expect(w.stats('minute', T0).p99Ms).toBe(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 2])
  })
})
