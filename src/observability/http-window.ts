// In-process request latency over the last minute and the last hour (issue 10 item 3), for the
// health panel. Prometheus gets cumulative histograms from prom-client; a panel that says "p95
// over the last minute" needs windows, so this keeps two rings of fixed latency histograms: 60
// one-second slots and 60 one-minute slots. Memory is fixed (120 × BUCKETS counters) whatever
// the traffic; a percentile is the upper bound of the bucket it falls in (≤ 20 % high).

/** Bucket upper bounds in milliseconds: 0.25 ms × 1.2^k up to ~2 minutes, then +Infinity. */
export const LATENCY_BOUNDS_MS: readonly number[] = (() => {
  const bounds: number[] = []
  for (let b = 0.25; b < 120_000; b *= 1.2) bounds.push(Math.round(b * 1000) / 1000)
  bounds.push(Infinity)
  return bounds
})()

/** Requests seen in a window; latencies in milliseconds, null when there were no requests. */
export type HttpWindowStats = {
  requests: number
  /** Responses with status ≥ 500. */
  errors: number
  /** errors / requests, 0..1; null when there were no requests. */
  errorRate: number | null
  p50Ms: number | null
  p95Ms: number | null
  p99Ms: number | null
}

type Slot = { epoch: number; counts: Uint32Array; errors: number; requests: number }

function ring(): Slot[] {
  return Array.from({ length: 60 }, () => ({
    epoch: -1,
    counts: new Uint32Array(LATENCY_BOUNDS_MS.length),
    errors: 0,
    requests: 0,
  }))
}

function bucketOf(ms: number): number {
  // Binary search: the first bound ≥ ms.
  let lo = 0
  let hi = LATENCY_BOUNDS_MS.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (LATENCY_BOUNDS_MS[mid] >= ms) hi = mid
    else lo = mid + 1
  }
  return lo
}

function slotFor(slots: Slot[], epoch: number): Slot {
  const slot = slots[epoch % 60]
  if (slot.epoch !== epoch) {
    slot.epoch = epoch
    slot.counts.fill(0)
    slot.errors = 0
    slot.requests = 0
  }
  return slot
}

/** Two rings of latency histograms; one per process is enough (`processHttpWindow`). */
export class HttpWindow {
  private seconds = ring()
  private minutes = ring()

  /**
   * Counts one finished request.
   * @param durationMs time from the request's arrival to its response, in milliseconds
   * @param status the HTTP status sent (≥ 500 counts as an error)
   * @param nowMs the clock, in milliseconds since the epoch
   */
  record(durationMs: number, status: number, nowMs: number = Date.now()): void {
    const bucket = bucketOf(Math.max(0, durationMs))
    for (const slot of [
      slotFor(this.seconds, Math.floor(nowMs / 1000)),
      slotFor(this.minutes, Math.floor(nowMs / 60_000)),
    ]) {
      slot.counts[bucket]++
      slot.requests++
      if (status >= 500) slot.errors++
    }
  }

  /**
   * Requests, error rate and p50/p95/p99 over the last minute (the 60 one-second slots up to
   * `nowMs`) or the last hour (the 60 one-minute slots).
   */
  stats(window: 'minute' | 'hour', nowMs: number = Date.now()): HttpWindowStats {
    const [slots, current] =
      window === 'minute'
        ? [this.seconds, Math.floor(nowMs / 1000)]
        : [this.minutes, Math.floor(nowMs / 60_000)]
    const counts = new Array<number>(LATENCY_BOUNDS_MS.length).fill(0)
    let requests = 0
    let errors = 0
    for (const slot of slots) {
      if (slot.epoch > current || slot.epoch <= current - 60) continue
      requests += slot.requests
      errors += slot.errors
      for (let i = 0; i < counts.length; i++) counts[i] += slot.counts[i]
    }
    const at = (q: number) => (requests === 0 ? null : percentile(counts, requests, q))
    return {
      requests,
      errors,
      errorRate: requests === 0 ? null : errors / requests,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
    }
  }
}

/** The upper bound of the bucket holding the q-th request (the largest finite one for +Inf). */
function percentile(counts: number[], total: number, q: number): number {
  const rank = Math.ceil(q * total)
  let seen = 0
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]
    if (seen >= rank)
      return Number.isFinite(LATENCY_BOUNDS_MS[i]) ? LATENCY_BOUNDS_MS[i] : LATENCY_BOUNDS_MS[i - 1]
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 2]
}

/** This process's windows: the request middleware records here, the health sampler reads. */
export const processHttpWindow = new HttpWindow()
