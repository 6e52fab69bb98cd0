import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import type { HttpWindow, HttpWindowStats } from '../observability/http-window.js'

// This process: request latency from the in-process windows, event-loop delay, memory
// (node.* and http.* keys of health_samples.metrics).

let loop: IntervalHistogram | undefined

/** Starts measuring event-loop delay in this process (once; 20 ms resolution). */
export function watchEventLoop(): void {
  if (loop) return
  loop = monitorEventLoopDelay({ resolution: 20 })
  loop.enable()
}

/**
 * The event loop's p99 delay in milliseconds since the last call, then starts a new window;
 * null before watchEventLoop or when no delay was measured yet.
 */
export function takeEventLoopP99Ms(): number | null {
  if (!loop || loop.count === 0) return null
  const p99 = loop.percentile(99) / 1e6
  loop.reset()
  return p99
}

function windowMetrics(stats: HttpWindowStats, suffix: '1m' | '1h') {
  return {
    [`http.requests_${suffix}`]: stats.requests,
    [`http.p50_ms_${suffix}`]: stats.p50Ms,
    [`http.p95_ms_${suffix}`]: stats.p95Ms,
    [`http.p99_ms_${suffix}`]: stats.p99Ms,
    [`http.error_percent_${suffix}`]: stats.errorRate === null ? null : stats.errorRate * 100,
  }
}

/** Requests, p50/p95/p99 (ms) and 5xx error rate (%) of this process over a minute and an hour. */
export function collectHttp(window: HttpWindow, nowMs: number): Record<string, number | null> {
  return {
    ...windowMetrics(window.stats('minute', nowMs), '1m'),
    ...windowMetrics(window.stats('hour', nowMs), '1h'),
  }
}

/** Event-loop p99 (ms, see takeEventLoopP99Ms), RSS and heap in bytes. */
export function collectNode(): Record<string, number | null> {
  const memory = process.memoryUsage()
  return {
    'node.event_loop_p99_ms': takeEventLoopP99Ms(),
    'node.rss_bytes': memory.rss,
    'node.heap_used_bytes': memory.heapUsed,
    'node.heap_total_bytes': memory.heapTotal,
  }
}
