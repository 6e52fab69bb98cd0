// Load and measurement helpers for `npm run bench`: autocannon in a process of its own (so the
// load generator never shares an event loop with the server it measures), sequential latency,
// bytes on the wire, and a process's resident memory from /proc.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const autocannonBin = join(require.resolve('autocannon/package.json'), '..', 'autocannon.js')

export type LoadResult = {
  requests: number
  rps: number
  p50: number
  p99: number
  ok: number
  byStatus: Record<string, number>
  errors: number
  timeouts: number
}

/**
 * Runs autocannon against `url` with `connections` keep-alive clients, for `amount` requests or
 * `seconds` seconds (whichever is given), each request timing out after `timeoutSeconds`.
 */
export function runLoad(
  url: string,
  options: {
    connections: number
    amount?: number
    seconds?: number
    headers?: Record<string, string>
    timeoutSeconds?: number
  },
): Promise<LoadResult> {
  const args = [autocannonBin, '-j', '-c', String(options.connections)]
  if (options.amount) args.push('-a', String(options.amount))
  else args.push('-d', String(options.seconds ?? 10))
  args.push('-t', String(options.timeoutSeconds ?? 10))
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}=${v}`)
  args.push(url)
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 24 }, (error, stdout) => {
      if (error) return reject(error)
      const r = JSON.parse(stdout)
      const byStatus: Record<string, number> = {}
      for (const [code, v] of Object.entries(r.statusCodeStats ?? {}))
        byStatus[code] = (v as { count: number }).count
      const start = Date.parse(r.start)
      const seconds = (Date.parse(r.finish) - start) / 1000
      resolve({
        requests: r.requests.total,
        rps: r.requests.total / seconds,
        p50: r.latency.p50,
        p99: r.latency.p99,
        ok: r['2xx'],
        byStatus,
        errors: r.errors,
        timeouts: r.timeouts,
      })
    })
  })
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

/** One GET over a keep-alive connection; resolves with status and the body bytes as sent. */
export function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number
  body: Buffer
  headerBytes: number
  headers: http.IncomingHttpHeaders
}> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const headerBytes = res.rawHeaders.reduce((n, h) => n + h.length + 2, 0) + 17
          resolve({
            status: res.statusCode!,
            body: Buffer.concat(chunks),
            headerBytes,
            headers: res.headers,
          })
        })
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

/** p50 and p95 in ms of `count` sequential GETs after `warmup` unmeasured ones; 200 required. */
export async function latency(
  url: string,
  headers: Record<string, string>,
  count = 100,
  warmup = 10,
): Promise<{ p50: number; p95: number }> {
  const times: number[] = []
  for (let i = 0; i < warmup + count; i++) {
    const t0 = performance.now()
    const res = await get(url, headers)
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`)
    if (i >= warmup) times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p95: percentile(times, 95) }
}

/**
 * A cold load of `path` as a browser with an empty cache makes it: the page, then every
 * stylesheet, script and icon it links, each asking for gzip/br. Bytes are what crossed the wire
 * (compressed bodies plus response headers).
 */
export async function coldLoadBytes(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ total: number; parts: { url: string; bytes: number; encoding: string }[] }> {
  const accept = { ...headers, 'accept-encoding': 'gzip, deflate, br' }
  const page = await get(base + path, accept)
  const parts = [
    {
      url: path,
      bytes: page.body.length + page.headerBytes,
      encoding: String(page.headers['content-encoding'] ?? 'identity'),
    },
  ]
  const html = page.headers['content-encoding'] ? '' : page.body.toString('utf8')
  const source = html || (await get(base + path, headers)).body.toString('utf8')
  const assets = [...source.matchAll(/<(?:link|script)\b[^>]*?\b(?:href|src)="([^"]+)"/g)].map(
    (m) => m[1],
  )
  for (const url of assets) {
    const res = await get(base + url, { 'accept-encoding': 'gzip, deflate, br' })
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`)
    parts.push({
      url,
      bytes: res.body.length + res.headerBytes,
      encoding: String(res.headers['content-encoding'] ?? 'identity'),
    })
  }
  return { total: parts.reduce((n, p) => n + p.bytes, 0), parts }
}

/** Resident and peak resident memory of a process, in MiB (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}
