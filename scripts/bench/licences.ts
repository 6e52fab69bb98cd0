// /licences and /plans at fleet scale (issue 9 item 2): `npx tsx scripts/bench/licences.ts
// [--tenants 2000]`. A scratch PostgreSQL database gets the bench fleet (1–50 members and a
// storage snapshot per tenant) plus 7 days of API usage per tenant, then prints p50/p95 of
// /licences, /plans and the impact preview over HTTP, and the statements one /licences costs.
// Not a test: nothing here asserts.
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import { sql } from 'kysely'
import pg from 'pg'
import { createApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { latency } from './load.js'

const { values: opts } = parseArgs({ options: { tenants: { type: 'string' } } })
const TENANTS = Number(opts.tenants ?? 2000)

let queries = 0
const clientQuery = pg.Client.prototype.query
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args)
} as typeof clientQuery

await withScratchDatabase('fleetdeck_bench_licences', async (url) => {
  const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
  const config = loadConfig(
    { FLEETDECK_SECRET_KEY: 'b'.repeat(40), NODE_ENV: 'test', FLEETDECK_DATA_DIR: tmpdir() },
    () => {},
  )
  const server = serve({ fetch: createApp({ config, database: handle }).fetch, port: 0 })
  await new Promise((resolve) => server.once('listening', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    await migratePlatform(handle.db)
    await bulkFleet(handle.db, TENANTS, 20_000)
    // 7 days per tenant at 0–120 % of its plan's quota (unlimited plans: up to 300k).
    await sql`insert into tenant_api_usage (tenant_id, day, calls)
      select t.id, current_date - d, (random() * 1.2 * coalesce(p.max_api_calls_per_day, 250000))::bigint
      from tenants t join plans p on p.id = t.plan_id cross join generate_series(0, 6) d`.execute(
      handle.db,
    )
    await sql`analyze`.execute(handle.db)
    const headers = { cookie: (await signedInOwner(handle.db)).cookie }
    const counts = await sql<{ m: number; a: number }>`select
      (select count(*)::int from memberships) as m, (select count(*)::int from tenant_api_usage) as a`.execute(
      handle.db,
    )
    console.log(
      `PostgreSQL, ${TENANTS} tenants, ${counts.rows[0].m} memberships, ${counts.rows[0].a} API usage days`,
    )
    for (const path of [
      '/licences',
      '/plans',
      '/plans/free/impact?maxMembers=10&maxStorage=100+MB&maxApiCallsPerDay=500&name=Free&priceMonthly=0&priceYearly=0&currency=USD',
    ]) {
      const { p50, p95 } = await latency(`${base}${path}`, headers, 50, 5)
      console.log(
        `${path.split('?')[0].padEnd(20)} p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
      )
    }
    queries = 0
    await latency(`${base}/licences`, headers, 1, 0)
    console.log(`statements per /licences request: ${queries} (session included)`)
  } finally {
    await new Promise((resolve) => server.close(resolve))
    await handle.close()
  }
})
