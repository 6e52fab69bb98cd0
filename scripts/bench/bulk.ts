// `npm run bench -- --only-bulk` (or `--bulk`): bulk changes by filter (issue 9 item 4, "Numbers
// for the closing note"). PostgreSQL; --tenants N active Free tenants (default 2,000) among as
// many others on other plans and statuses, loaded in bulk and ANALYZEd. Over HTTP, same run:
//   - /tenants p50/p95 (the baseline the others are compared with),
//   - the preview (GET /batches/new for "active on Free → Professional") p50/p95,
//   - apply (POST /batches: N plan changes, N audit entries, one transaction) and rollback
//     (POST /batches/:id/rollback), three rounds each, with statements per round,
//   - the audit chain verified afterwards.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { sql } from 'kysely'
import { createApp } from '../../src/app.js'
import { verifyAuditChain } from '../../src/db/audit-log.js'
import type { Db } from '../../src/db/database.js'
import { openDatabase } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { signedInOwner, withScratchDatabase } from './fixtures.js'
import { latency } from './load.js'
import type { Config } from '../../src/config.js'

const ms = (n: number) => `${n.toFixed(1)} ms`

/** `chosen` active Free tenants and as many others (other plans, other statuses), ANALYZEd. */
async function loadFleet(db: Db, chosen: number): Promise<void> {
  await sql`
    insert into tenants (id, slug, name, status, plan_id, billing_email, first_admin_email, first_admin_name, created_at, updated_at)
    select gen_random_uuid(), 'bulk-' || i, 'Bulk Company ' || i,
      case when i <= ${chosen} then 'active' else (array['active','suspended','failed'])[1 + i % 3] end,
      case when i <= ${chosen} then 'free' else (array['professional','enterprise'])[1 + i % 2] end,
      'billing' || i || '@bench.example', 'owner' || i || '@bench.example', 'Owner ' || i,
      now() - (i || ' minutes')::interval, now()
    from generate_series(1, ${chosen * 2}) i`.execute(db)
  await sql`analyze`.execute(db)
}

async function post(url: string, cookie: string, fields: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie,
      origin: new URL(url).origin,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  })
  await res.arrayBuffer()
  if (res.status !== 303) throw new Error(`${url} answered ${res.status}`)
  return res.headers.get('location')!
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const result = await work()
  return [result, performance.now() - t0]
}

export async function benchBulk(o: {
  tenants: number
  config: Config
  queries: () => number
}): Promise<void> {
  console.log(
    `\nBulk changes (PostgreSQL, ${o.tenants} active Free tenants among ${o.tenants * 2})`,
  )
  await withScratchDatabase('fleetdeck_bench_bulk', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    const app = createApp({ config: o.config, database: handle })
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      await migratePlatform(handle.db)
      await loadFleet(handle.db, o.tenants)
      const { cookie } = await signedInOwner(handle.db)
      const headers = { cookie }
      const filter = 'status=active&plan=free'
      const list = await latency(`${base}/tenants?${filter}`, headers, 50)
      const preview = await latency(
        `${base}/batches/new?${filter}&kind=plan_change&to_plan=professional`,
        headers,
        50,
      )
      console.log(`  /tenants (filtered)   p50 ${ms(list.p50)}  p95 ${ms(list.p95)}`)
      console.log(
        `  preview               p50 ${ms(preview.p50)}  p95 ${ms(preview.p95)}  (${(preview.p50 / list.p50).toFixed(2)}× /tenants)`,
      )
      const fields = {
        status: 'active',
        plan: 'free',
        kind: 'plan_change',
        to_plan: 'professional',
        previewed_count: String(o.tenants),
        accepted_drift: '0',
      }
      for (let round = 1; round <= 3; round++) {
        const q0 = o.queries()
        const [location, apply] = await timed(() => post(`${base}/batches`, cookie, fields))
        const q1 = o.queries()
        const [, rollback] = await timed(() => post(`${base}${location}/rollback`, cookie, {}))
        const q2 = o.queries()
        console.log(
          `  round ${round}: apply ${ms(apply)} (${(apply / o.tenants).toFixed(2)} ms/tenant, ${q1 - q0} statements, ${(apply / list.p50).toFixed(0)}× /tenants)  rollback ${ms(rollback)} (${q2 - q1} statements)`,
        )
      }
      const [verdict, verify] = await timed(() => verifyAuditChain(handle.db))
      console.log(
        `  audit chain after: ${verdict.ok ? 'intact' : `BROKEN at ${verdict.seq}`}, ${verdict.checked} rows verified in ${ms(verify)}`,
      )
    } finally {
      await new Promise((resolve) => server.close(resolve))
      await handle.close()
    }
  })
}
