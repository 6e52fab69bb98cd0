// `npm run bench -- --only-dashboard` (or `--dashboard`): the dashboard at / (issue 10, "Numbers
// for the closing note": dashboard server time p50/p95 with 2,000 tenants / 1M users).
// PostgreSQL; --tenants tenants (default 2,000) and --dashboard-users users (default 1,000,000),
// each user a member of one tenant besides bulkFleet's 1–50 members per tenant, created over two
// years and 40% signed in within 90 days; 20,000 join requests, an hour of health samples and
// 30 days of kpi_daily rows for the fleet and every tenant. Loaded in bulk, then VACUUM ANALYZE.
// Prints the server time of GET / (in-process app.request, page rendered and read), fleet-wide
// and with one tenant picked, its statements, and the cost of one run of each KPI snapshot task
// (the fleet row; every tenant's rows), each on a connection of its own as the scheduler runs it.
import { sql } from 'kysely'
import { createApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { takeFleetSnapshot, takeTenantSnapshot } from '../../src/dashboard/snapshot.js'
import { openDatabase, type Db } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { signedScopeCookie } from '../../src/test-support/scope-cookie.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { percentile } from './load.js'

export type DashboardBenchOptions = {
  tenants: number
  users: number
  config: Config
  /** Statements sent so far by every pg client of this process (bench.ts counts them). */
  queries: () => number
}

const REQUESTS = 200
const WARMUP = 10
const ms = (n: number) => `${n.toFixed(1)} ms`

export async function benchDashboard(options: DashboardBenchOptions): Promise<void> {
  await withScratchDatabase('fleetdeck_bench_dashboard', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    try {
      await migratePlatform(handle.db)
      const t0 = performance.now()
      await loadFleet(handle.db, options)
      const loaded = (performance.now() - t0) / 1000
      const counts = await sql<{ users: number; memberships: number }>`select
          (select count(*)::int from users) as users,
          (select count(*)::int from memberships) as memberships`.execute(handle.db)
      const { users, memberships } = counts.rows[0]
      console.log(
        `\nDashboard: PostgreSQL, ${options.tenants} tenants, ${users} users, ${memberships} memberships (loaded in ${loaded.toFixed(0)} s)`,
      )

      // As the scheduler runs them: each on a connection of its own (opening it included).
      const median3 = async (run: (db: Db) => Promise<unknown>) => {
        const times: number[] = []
        for (let i = 0; i < 3; i++) {
          const s0 = performance.now()
          await handle.withDedicatedConnection((db) => run(db))
          times.push(performance.now() - s0)
        }
        return times.sort((a, b) => a - b)[1]
      }
      const fleetRun = await median3((db) => takeFleetSnapshot(db))
      const tenantRun = await median3((db) => takeTenantSnapshot(db))
      console.log(
        `  KPI snapshot run, fleet row (every 15 min)          median ${ms(fleetRun)} of 3`,
      )
      console.log(
        `  KPI snapshot run, ${options.tenants} tenant rows (hourly)      median ${ms(tenantRun)} of 3`,
      )

      const app = createApp({ config: options.config, database: handle })
      const owner = await signedInOwner(handle.db)
      const tenant = await sql<{ id: string }>`select id from tenants
        where status = 'active' order by id limit 1`.execute(handle.db)
      const scope = await signedScopeCookie(options.config, {
        mode: 'customer',
        tenant: tenant.rows[0].id,
        recent: [],
      })
      const measure = async (label: string, cookie: string) => {
        const request = () => app.request('/', { headers: { cookie } })
        const first = await request()
        if (first.status !== 200) throw new Error(`GET / answered ${first.status}`)
        await first.text()
        const before = options.queries()
        await (await request()).text()
        const statements = options.queries() - before
        const times: number[] = []
        for (let i = 0; i < WARMUP + REQUESTS; i++) {
          const r0 = performance.now()
          const res = await request()
          await res.text()
          if (res.status !== 200) throw new Error(`GET / answered ${res.status}`)
          if (i >= WARMUP) times.push(performance.now() - r0)
        }
        times.sort((a, b) => a - b)
        console.log(
          `  ${label.padEnd(42)} p50 ${ms(percentile(times, 50))}   p95 ${ms(percentile(times, 95))}   ${statements} statements (${REQUESTS} requests)`,
        )
      }
      await measure('GET / server time, every customer', owner.cookie)
      await measure('GET / server time, one tenant picked', `${owner.cookie}; ${scope}`)
    } finally {
      await handle.close()
    }
  })
}

/** The fleet, in bulk SQL: the bench measures reading, not writing. */
async function loadFleet(db: Db, options: DashboardBenchOptions): Promise<void> {
  await bulkFleet(db, options.tenants, options.users)
  // Customers over two years; 40% signed in within the last 90 days.
  await sql`update users set
      created_at = now() - (abs(hashtext(id::text)) % 730) * interval '1 day'
        - (abs(hashtext(email)) % 86400) * interval '1 second',
      last_login_at = case when abs(hashtext(email)) % 10 < 4
        then now() - (abs(hashtext(name || id::text)) % 90) * interval '1 day' end`.execute(db)
  // Every user a member of one tenant (besides bulkFleet's few per tenant). The tenant count is a
  // constant in the join condition, so the planner can hash it (a per-row count cannot be).
  await sql`
    with t as (select id, row_number() over (order by id) as n from tenants)
    insert into memberships (user_id, tenant_id, role, created_at)
    select u.id, t.id, 'member', u.created_at
    from users u join t on t.n = 1 + abs(hashtext(u.email)) % ${options.tenants}
    on conflict do nothing`.execute(db)
  await sql`
    with t as (select id, row_number() over (order by id) as n from tenants)
    insert into join_requests (id, email, name, tenant_id, message, status, role, decided_at, created_at)
    select gen_random_uuid(), 'asker' || i || '@bench.example', 'Asker ' || i, t.id, '',
      case when i % 5 < 3 then 'pending' else 'approved' end,
      case when i % 5 < 3 then null else 'member' end,
      case when i % 5 < 3 then null else now() end,
      now() - (i % 30) * interval '1 day'
    from generate_series(1, 20000) i join t on t.n = 1 + i % ${options.tenants}`.execute(db)
  await sql`
    insert into health_samples (taken_at, resolution_seconds, instance, metrics)
    select now() - i * interval '10 seconds', 10, 'bench:1', jsonb_build_object(
      'host.cpu_percent', 20 + i % 50, 'host.memory_percent', 55.5, 'host.disk_percent', 41.2,
      'host.disk_used_bytes', 41200000000, 'host.disk_size_bytes', 100000000000)
    from generate_series(0, 359) i`.execute(db)
  await sql`
    insert into kpi_daily (day, tenant_id, kpis, taken_at)
    select (now() at time zone 'utc')::date - d, t.id, jsonb_build_object(
      'users', 500 + d, 'activeUsers', 200 + d,
      'pendingJoinRequests', d % 4, 'activeImpersonations', 0, 'storageBytes', 1000000 * (40 - d)),
      now() - d * interval '1 day'
    from generate_series(1, 30) d
    cross join (select id from tenants union all select null) t`.execute(db)
  await sql`vacuum analyze`.execute(db)
}
