// `npm run bench -- --only-observability` (or `--observability`): what issue 10's "Numbers" ask
// of items 4 and 5, on PostgreSQL with --tenants N (default 2,000) tenants and 20,000 users:
//   - /tenants throughput of the app WITH request observation (timing, the Prometheus histogram,
//     one pino JSON line per request, written to /dev/null as to a file) against the same app
//     built with `observe: false`, same database, same run: 10 keep-alive clients, 2 rounds of
//     10 s each, alternating; req/s and this process's CPU ms per request, and the ratio;
//   - the same difference in-process on /healthz, where no database noise hides it (µs/request);
//   - /metrics scrape time p50/p95 over 200 sequential scrapes, and its size, on PostgreSQL and
//     on the embedded PGlite with the same fleet.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { destination, pino } from 'pino'
import { createApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { createLogger, type Logger } from '../../src/observability/logger.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { get, latency, runLoad, type LoadResult } from './load.js'

const ms = (n: number) => `${n.toFixed(2)} ms`

async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; close(): void }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  }
}

/** p50/p95 of 200 scrapes of /metrics (from loopback, no token), and one scrape's bytes/series. */
async function scrapeTimes(database: DatabaseHandle, config: Config, label: string) {
  const app = createApp({ config, database, logger: pino({ level: 'silent' }) })
  const server = await listen(app)
  try {
    const once = await get(`${server.url}/metrics`)
    if (once.status !== 200) throw new Error(`/metrics answered ${once.status}`)
    const series = once.body
      .toString()
      .split('\n')
      .filter((l) => l && !l.startsWith('#')).length
    const { p50, p95 } = await latency(`${server.url}/metrics`, {}, 200, 20)
    console.log(
      `  /metrics scrape (${label}): p50 ${ms(p50)}, p95 ${ms(p95)} — ${(once.body.length / 1024).toFixed(1)} KiB, ${series} samples`,
    )
  } finally {
    server.close()
  }
}

/**
 * The middleware's own cost, away from the database's noise: /healthz in-process (app.request,
 * no socket, no query) 20,000 times per round, 3 rounds alternating, µs per request.
 */
async function inProcessOverhead(database: DatabaseHandle, config: Config, logger: Logger) {
  const on = createApp({ config, database, logger })
  const off = createApp({ config, database, logger, observe: false })
  const perRequestUs = async (app: typeof on) => {
    const n = 20_000
    const t0 = performance.now()
    for (let i = 0; i < n; i++) await (await app.request('/healthz')).arrayBuffer()
    return ((performance.now() - t0) * 1000) / n
  }
  await perRequestUs(on)
  await perRequestUs(off)
  const rounds: [number, number][] = []
  for (let round = 0; round < 3; round++) {
    if (round % 2 === 0) {
      const a = await perRequestUs(on)
      rounds.push([a, await perRequestUs(off)])
    } else {
      const b = await perRequestUs(off)
      rounds.push([await perRequestUs(on), b])
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const withUs = median(rounds.map((r) => r[0]))
  const withoutUs = median(rounds.map((r) => r[1]))
  console.log(
    `  in-process /healthz (median of 3 × 20,000): ${withUs.toFixed(1)} µs with, ${withoutUs.toFixed(1)} µs without: observation costs ${(withUs - withoutUs).toFixed(1)} µs per request`,
  )
}

export async function benchObservability(o: { tenants: number; config: Config }): Promise<void> {
  console.log(`\nObservability (issue 10 items 4, 5): ${o.tenants} tenants, 20,000 users`)
  await withScratchDatabase('fleetdeck_bench_observability', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    // A real file write per line, as `npm start > app.log` would do, without flooding the terminal.
    const logger = createLogger('info', destination({ dest: '/dev/null', sync: true }))
    const observed = await listen(createApp({ config: o.config, database: handle, logger }))
    const bare = await listen(
      createApp({ config: o.config, database: handle, logger, observe: false }),
    )
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle.db, o.tenants, 20_000)
      const { cookie } = await signedInOwner(handle.db)
      const load = {
        connections: 10,
        headers: { cookie, 'accept-encoding': 'gzip, deflate, br' },
      }
      await runLoad(`${observed.url}/tenants`, { ...load, seconds: 2 })
      await runLoad(`${bare.url}/tenants`, { ...load, seconds: 2 })
      // Both servers live in this process: its CPU time per answered request is theirs.
      const measured = async (base: string) => {
        const before = process.cpuUsage()
        const r = await runLoad(`${base}/tenants`, { ...load, seconds: 10 })
        const used = process.cpuUsage(before)
        if (r.ok !== r.requests) throw new Error(`/tenants: ${JSON.stringify(r.byStatus)}`)
        return { ...r, cpuMs: (used.user + used.system) / 1000 / r.requests }
      }
      const runs: { on: LoadResult & { cpuMs: number }; off: LoadResult & { cpuMs: number } }[] = []
      for (let round = 0; round < 2; round++) {
        // Alternating which goes first, so a drift in the machine's load falls on both.
        if (round % 2 === 0) {
          const on = await measured(observed.url)
          runs.push({ on, off: await measured(bare.url) })
        } else {
          const off = await measured(bare.url)
          runs.push({ off, on: await measured(observed.url) })
        }
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
      for (const [i, r] of runs.entries()) {
        console.log(
          `  round ${i + 1}: with ${r.on.rps.toFixed(0)} req/s (${ms(r.on.cpuMs)} CPU/req), without ${r.off.rps.toFixed(0)} req/s (${ms(r.off.cpuMs)} CPU/req)`,
        )
      }
      const on = mean(runs.map((r) => r.on.rps))
      const off = mean(runs.map((r) => r.off.rps))
      const cpuOn = mean(runs.map((r) => r.on.cpuMs))
      const cpuOff = mean(runs.map((r) => r.off.cpuMs))
      console.log(
        `  /tenants with histogram + JSON log: ${on.toFixed(0)} req/s; without: ${off.toFixed(0)} req/s; ratio ${(on / off).toFixed(3)}`,
      )
      console.log(
        `  CPU per /tenants request: ${ms(cpuOn)} with, ${ms(cpuOff)} without (+${ms(cpuOn - cpuOff)})`,
      )
      await inProcessOverhead(handle, o.config, logger)
      await scrapeTimes(handle, o.config, 'PostgreSQL')
    } finally {
      observed.close()
      bare.close()
      await handle.close()
    }
  })

  const lite = await openDatabase({ url: undefined, dataDir: 'memory://' })
  try {
    await migratePlatform(lite.db)
    await bulkFleet(lite.db, o.tenants, 20_000)
    await scrapeTimes(lite, o.config, 'embedded PGlite')
  } finally {
    await lite.close()
  }
}
