// `npm run bench -- --only-health` (or `--health` with the rest): the health panel's numbers
// (issue 10, "Numbers for the closing note": one health sample's cost and the panel fragment's
// time). For the embedded PGlite and for PostgreSQL with --tenants tenants (bulkFleet, 20,000
// users) and a bulk batch pending, each:
//   1. one sample (every collector, not stored): p50/p95 ms over 50 after 5 warm-up;
//   2. storing one sample: p50/p95 ms of the insert;
//   3. the panel fragment /system with HX-Request and the poll header, with an hour of stored
//      10-second samples (360 rows) behind the trends: p50/p95 ms server time over 50
//      (app.request in process: no socket, so this is the server's own time) after 5 warm-up.
// Not a test: nothing here asserts.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { insertHealthSample } from '../../src/db/health-samples.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { createSampler } from '../../src/health/sampler.js'
import { POLL_HEADER } from '../../src/web/guards.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { percentile } from './load.js'

export type HealthBenchOptions = { tenants: number; config: Config }

const ms = (n: number) => `${n.toFixed(1)} ms`

async function timed(count: number, warmup: number, work: () => Promise<unknown>) {
  const times: number[] = []
  for (let i = 0; i < warmup + count; i++) {
    const t0 = performance.now()
    await work()
    if (i >= warmup) times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return `p50 ${ms(percentile(times, 50))}   p95 ${ms(percentile(times, 95))}`
}

async function measure(label: string, handle: DatabaseHandle, config: Config) {
  const sampler = createSampler({ database: handle, config })
  const sampleCost = await timed(50, 5, () => sampler.sample())
  const one = await sampler.sample()
  const now = Date.now()
  // An hour of history: what the trends read on every poll.
  for (let i = 359; i >= 1; i--)
    await insertHealthSample(handle.db, {
      takenAt: new Date(now - i * 10_000),
      metrics: one.metrics,
      instance: 'bench:1',
    })
  const storeCost = await timed(50, 5, () =>
    insertHealthSample(handle.db, {
      takenAt: new Date(),
      metrics: one.metrics,
      instance: 'bench:1',
    }),
  )
  const app = createApp({ config, database: handle })
  const { cookie } = await signedInOwner(handle.db)
  const headers = { cookie, 'hx-request': 'true', [POLL_HEADER]: '1' }
  let bytes = 0
  const fragmentCost = await timed(50, 5, async () => {
    const res = await app.request('/system', { headers })
    if (res.status !== 200) throw new Error(`/system answered ${res.status}`)
    bytes = (await res.text()).length
  })
  console.log(`\n${label}`)
  console.log(`  one health sample (${Object.keys(one.metrics).length} metrics)  ${sampleCost}`)
  console.log(`  storing it                        ${storeCost}`)
  console.log(
    `  /system panel fragment (poll)     ${fragmentCost}   (${(bytes / 1024).toFixed(0)} KB, 360 samples behind the trends)`,
  )
}

/** Prints the sample's cost and the fragment's time on PGlite, then on PostgreSQL. */
export async function benchHealth(options: HealthBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-health-'))
  try {
    const handle = await openDatabase({ url: undefined, dataDir: dir })
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle.db, 200, 2_000)
      await measure('Health panel, embedded PGlite (200 tenants)', handle, {
        ...options.config,
        dataDir: dir,
      })
    } finally {
      await handle.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  await withScratchDatabase('fleetdeck_bench_health', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle.db, options.tenants, 20_000)
      await measure(`Health panel, PostgreSQL (${options.tenants} tenants, 20,000 users)`, handle, {
        ...options.config,
        databaseUrl: url,
      })
    } finally {
      await handle.close()
    }
  })
}
