// `npm run bench -- --only-api` (or `--api`): issue 14's "API GET /api/v1/tenants p50/p95 and
// req/s next to the HTML page", on PostgreSQL with --tenants N (default 2,000) tenants and 20,000
// users, both served by the same app over the same database in the same run:
//   - p50/p95 of 200 sequential requests (after 20 to warm up) of the first page of 50: the API
//     with an owner's API token, the /tenants page with the same owner's console session;
//   - statements per request (every pg Client#query: BEGIN/COMMIT included);
//   - req/s at 10 keep-alive clients, 2 rounds of 10 s each, alternating which goes first.
// The API's per-token rate limit is lifted for the run (API_RATE_LIMIT_PER_MINUTE would refuse
// the load after 120 calls); every API read still writes its `api.read` audit entry, as in use.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { createTestApiToken } from '../../src/test-support/api-tokens.js'
import { PERMISSIONS } from '../../src/auth/permissions.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { get, latency, runLoad, type LoadResult } from './load.js'

const ms = (n: number) => `${n.toFixed(1)} ms`

/**
 * Prints the API's and the HTML page's latency, statements per request and throughput for the
 * tenants list. `queries` reads the bench's statement counter (scripts/bench.ts).
 */
export async function benchApi(o: {
  tenants: number
  config: Config
  queries: () => number
}): Promise<void> {
  console.log(`\nREST API (issue 14): GET /api/v1/tenants next to /tenants, ${o.tenants} tenants`)
  await withScratchDatabase('fleetdeck_bench_api', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    const config: Config = { ...o.config, apiRateLimitPerMinute: 100_000 }
    const app = createApp({ config, database: handle })
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle.db, o.tenants, 20_000)
      const { cookie, id } = await signedInOwner(handle.db)
      const token = await createTestApiToken(handle.db, id, PERMISSIONS, { name: 'bench' })
      const targets = {
        api: { url: `${base}/api/v1/tenants`, headers: { authorization: `Bearer ${token}` } },
        html: { url: `${base}/tenants`, headers: { cookie } },
      }
      for (const [name, t] of Object.entries(targets)) {
        const once = await get(t.url, t.headers)
        if (once.status !== 200) throw new Error(`${name} answered ${once.status}`)
        const before = o.queries()
        for (let i = 0; i < 20; i++) await get(t.url, t.headers)
        const perRequest = (o.queries() - before) / 20
        const { p50, p95 } = await latency(t.url, t.headers, 200, 20)
        console.log(
          `  ${name === 'api' ? 'GET /api/v1/tenants' : 'GET /tenants (HTML)'}: p50 ${ms(p50)}, p95 ${ms(p95)}, ${perRequest.toFixed(1)} statements/request, ${(once.body.length / 1024).toFixed(1)} KiB`,
        )
      }
      const load = async (t: { url: string; headers: Record<string, string> }) => {
        const r = await runLoad(t.url, { connections: 10, seconds: 10, headers: t.headers })
        if (r.ok !== r.requests) throw new Error(`${t.url}: ${JSON.stringify(r.byStatus)}`)
        return r
      }
      await runLoad(targets.api.url, { connections: 10, seconds: 2, headers: targets.api.headers })
      await runLoad(targets.html.url, {
        connections: 10,
        seconds: 2,
        headers: targets.html.headers,
      })
      const rounds: { api: LoadResult; html: LoadResult }[] = []
      for (let round = 0; round < 2; round++) {
        if (round % 2 === 0) {
          const api = await load(targets.api)
          rounds.push({ api, html: await load(targets.html) })
        } else {
          const html = await load(targets.html)
          rounds.push({ html, api: await load(targets.api) })
        }
      }
      for (const [i, r] of rounds.entries())
        console.log(
          `  round ${i + 1} at 10 clients: API ${r.api.rps.toFixed(0)} req/s (p50 ${r.api.p50} ms), HTML ${r.html.rps.toFixed(0)} req/s (p50 ${r.html.p50} ms)`,
        )
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
      const api = mean(rounds.map((r) => r.api.rps))
      const html = mean(rounds.map((r) => r.html.rps))
      console.log(
        `  /api/v1/tenants ${api.toFixed(0)} req/s, /tenants ${html.toFixed(0)} req/s (API/HTML ${(api / html).toFixed(2)})`,
      )
    } finally {
      await new Promise((resolve) => server.close(resolve))
      await handle.close()
    }
  })
}
