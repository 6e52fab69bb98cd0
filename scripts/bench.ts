// npm run bench — prints the numbers the closing notes quote (issue 6, items 19–23). Not a test:
// nothing here asserts. Every line it prints is described in the README's scripts table.
//   1. PostgreSQL, --tenants N (default 2,000): /tenants requests/s at 10 keep-alive clients
//      against a bare Hono page rendering the same 50 rows (started here, same run), queries per
//      /tenants request, a cold /tenants load's bytes on the wire, the tenant page p50/p95 with
//      N tenant schemas in the catalog, /audit p50/p95 at 12k and 500k log rows.
//   2. Embedded PGlite: `npm start` → first answered request on a fresh and a warm data dir;
//      RSS and latency of the server under 50 concurrent clients for a bounded time.
//   3. With --seed: seed throughput through the onboarding pipeline (PostgreSQL and PGlite).
//   4. With --users N: the people pages (/users, searches, a filter, the user page,
//      /join-requests) with --tenants tenants and N users (scripts/bench/users.ts).
//   5. With --kit: the tenant side — kit overhead per request, the handoff, End/suspend →
//      refusal in the example app (scripts/bench/kit.ts; about 2 minutes).
//   6. With --flags: flag resolution µs in memory and /flags/:key at --tenants tenants
//      (scripts/bench/flags.ts; about a minute). --only-flags runs this alone.
//   7. With --bulk: bulk changes — preview and apply/rollback of a plan change over --tenants
//      tenants against /tenants in the same run (scripts/bench/bulk.ts). --only-bulk alone.
//   8. With --health: one health sample's cost and the /system panel fragment's time, on PGlite
//      and on PostgreSQL with --tenants tenants (scripts/bench/health.ts). --only-health alone.
//   9. With --observability: /tenants req/s with and without request observation (histogram +
//      JSON log), and /metrics scrape p50/p95 at --tenants tenants (scripts/bench/observability.ts;
//      about a minute). --only-observability runs this alone.
//  10. With --dashboard: the dashboard's server time p50/p95 at --tenants tenants and --users
//      users (default 1,000,000 here), and one KPI snapshot run (scripts/bench/dashboard.ts;
//      a few minutes, most of it loading). --only-dashboard runs this alone.
//  11. With --fleet: fleet operations (issue 11) — the whole-fleet health check and a fleet
//      migration (pending report; one ADD COLUMN + CREATE INDEX per tenant at concurrency 1 and
//      2 against psql running the same DDL in one loop) at --tenants tenants, and backups: one
//      tenant of 100,000 rows, its restore, and a fleet backup of --backup-tenants tenants
//      (default 200). --only-fleet runs this alone (10–15 minutes at 2,000 tenants).
//  12. With --billing: issue 12 — webhook ingestion through POST /webhooks/stripe (events/s, p95
//      per event, against a bare verify-and-insert endpoint in the same run) and reprocessing
//      that ledger, on PostgreSQL and PGlite, with --billing-events demo events (default 5,000);
//      /billing p50/p95 at --tenants tenants with 24 monthly invoices each (scripts/bench/billing.ts;
//      a few minutes). --only-billing runs this alone.
//  13. With --citus or --citus-url URL: issue 13 — tenant creation rate, a fleet migration's rate
//      and the storage snapshot's time on PGlite, the local PostgreSQL and (with --citus-url) a
//      Citus coordinator, plus a ~30 MB tenant's move between workers there, with
//      --citus-tenants tenants (default 50; scripts/bench/citus.ts). --only-citus runs this alone.
//  14. With --api: issue 14 — GET /api/v1/tenants p50/p95, statements and req/s next to the
//      /tenants page at --tenants tenants (scripts/bench/api.ts; about a minute). --only-api alone.
//  15. With --audit-export: issue 14 — the audit log's CSV export, time and peak RSS, over
//      --export-rows rows (default 1,000,000) on PostgreSQL and a tenth of them on PGlite
//      (scripts/bench/audit-export.ts). --only-audit-export runs this alone.
// Needs the local PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres);
// it creates and drops databases of its own there. Options: --tenants N, --audit-rows N (the
// large log, default 500000), --skip-start, --skip-pglite, --seed, --users N (default 0: skipped),
// --kit, --only-kit, --flags, --only-flags, --bulk, --only-bulk, --health, --only-health,
// --observability, --only-observability, --dashboard, --only-dashboard, --fleet, --only-fleet,
// --backup-tenants N, --billing, --only-billing, --billing-events N, --citus, --only-citus,
// --citus-url URL, --citus-tenants N, --audit-export, --only-audit-export, --export-rows N.
// Takes 3–5 minutes (most of it loading 500k audit rows).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import { sql } from 'kysely'
import pg from 'pg'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase, type DatabaseHandle } from '../src/db/database.js'
import { migratePlatform, migrateTenant } from '../src/db/migrate.js'
import { findSuperAdminById } from '../src/db/super-admins.js'
import { listTenants, tenantSchemaName } from '../src/db/tenants.js'
import { ALL_TENANTS } from '../src/db/tenant-scope.js'
import { createBaselineApp, createSameMarkupBaselineApp } from './bench/baseline.js'
import {
  bulkFleet,
  fillerSchemas,
  serverUrl,
  growAuditLog,
  signedInOwner,
  withScratchDatabase,
} from './bench/fixtures.js'
import { benchApi } from './bench/api.js'
import { benchAuditExport } from './bench/audit-export.js'
import { benchBilling } from './bench/billing.js'
import { benchBulk } from './bench/bulk.js'
import { benchCitus } from './bench/citus.js'
import { benchDashboard } from './bench/dashboard.js'
import { benchKit } from './bench/kit.js'
import { benchFlags } from './bench/flags.js'
import { benchHealth } from './bench/health.js'
import { benchFleetBackups } from './bench/fleet-backups.js'
import { benchFleetHealth } from './bench/fleet-health.js'
import { benchFleetMigrations } from './bench/fleet-migrations.js'
import { benchObservability } from './bench/observability.js'
import { benchUsers } from './bench/users.js'
import { coldLoadBytes, get, latency, memoryOf, runLoad, type LoadResult } from './bench/load.js'

const { values: opts } = parseArgs({
  options: {
    tenants: { type: 'string' },
    'audit-rows': { type: 'string' },
    'skip-start': { type: 'boolean' },
    'skip-pglite': { type: 'boolean' },
    seed: { type: 'boolean' },
    users: { type: 'string' },
    kit: { type: 'boolean' },
    'only-kit': { type: 'boolean' },
    flags: { type: 'boolean' },
    'only-flags': { type: 'boolean' },
    bulk: { type: 'boolean' },
    'only-bulk': { type: 'boolean' },
    health: { type: 'boolean' },
    'only-health': { type: 'boolean' },
    observability: { type: 'boolean' },
    'only-observability': { type: 'boolean' },
    dashboard: { type: 'boolean' },
    'only-dashboard': { type: 'boolean' },
    fleet: { type: 'boolean' },
    'only-fleet': { type: 'boolean' },
    'backup-tenants': { type: 'string' },
    billing: { type: 'boolean' },
    'only-billing': { type: 'boolean' },
    'billing-events': { type: 'string' },
    citus: { type: 'boolean' },
    'only-citus': { type: 'boolean' },
    'citus-url': { type: 'string' },
    'citus-tenants': { type: 'string' },
    api: { type: 'boolean' },
    'only-api': { type: 'boolean' },
    'audit-export': { type: 'boolean' },
    'only-audit-export': { type: 'boolean' },
    'export-rows': { type: 'string' },
  },
})
const TENANTS = Number(opts.tenants ?? 2000)
const AUDIT_ROWS = Number(opts['audit-rows'] ?? 500_000)
const USERS = Number(opts.users ?? 0)
const root = join(import.meta.dirname, '..')
const ms = (n: number) => `${n.toFixed(1)} ms`

// Every statement any pg client sends (pooled or dedicated, PostgreSQL or PGlite's adapter)
// goes through Client#query: counting there sees BEGIN/COMMIT and raw SQL too.
let queries = 0
const clientQuery = pg.Client.prototype.query
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args)
} as typeof clientQuery

async function listen(app: Pick<Hono, 'fetch'>) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/**
 * The configuration of every app a bench builds. Request lines are not logged: printed here they
 * would bury the numbers, and what logging costs is measured on its own (--observability, to
 * /dev/null, against the same app without it).
 */
function benchConfig() {
  return loadConfig(
    {
      FLEETDECK_SECRET_KEY: 'b'.repeat(40),
      NODE_ENV: 'test',
      FLEETDECK_DATA_DIR: tmpdir(),
      LOG_LEVEL: 'silent',
    },
    () => {},
  )
}

async function benchPostgres() {
  await withScratchDatabase('fleetdeck_bench', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    const app = createApp({ config: benchConfig(), database: handle })
    const fleetdeck = await listen(app)
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle.db, TENANTS, 20_000)
      const owner = await signedInOwner(handle.db)
      const headers = { cookie: owner.cookie }
      const listed = await listTenants(handle.db, ALL_TENANTS, { page: 1, perPage: 50 })
      const items = listed.items
      const baseline = await listen(createBaselineApp(items))
      const operator = (await findSuperAdminById(handle.db, owner.id))!
      const sameMarkup = await listen(
        createSameMarkupBaselineApp({
          operator,
          items,
          total: listed.total,
          perPage: 50,
          query: {
            q: '',
            status: '',
            plan: '',
            from: '',
            to: '',
            flag: '',
            flag_state: '',
            sort: 'created',
            dir: 'desc',
            page: 1,
          },
          errors: {},
          snapshotAt: listed.snapshotAt,
          now: new Date(),
        }),
      )
      const members = await sql<{ n: number }>`select count(*)::int as n from memberships`.execute(
        handle.db,
      )
      console.log(
        `\nPostgreSQL, ${TENANTS} tenants, ${members.rows[0].n} memberships; Fleetdeck and the bare Hono baseline on 127.0.0.1, autocannon in its own process`,
      )
      try {
        await throughput(fleetdeck.base, baseline.base, headers, 'bare Hono')
        await throughput(fleetdeck.base, sameMarkup.base, headers, 'same markup')
      } finally {
        await baseline.close()
        await sameMarkup.close()
      }
      await queriesPerRequest(fleetdeck.base, headers)
      await coldLoad(fleetdeck.base, headers)
      await tenantPage(handle, fleetdeck.base, headers, items[0])
      await auditPage(handle, fleetdeck.base, headers, owner.id)
    } finally {
      await fleetdeck.close()
      await handle.close()
    }
  })
}

/**
 * Alternates the two servers three times (the machine's load changes from minute to minute; the
 * same minute is fair to both) and prints the median of each and of the per-round ratios. Each
 * run is a fixed 5 s window: a run of a fixed count lasts at least one tick (1 s) of autocannon's
 * clock, so the count-based runs used before 2026-11-30 reported the plain baseline at ~2,000
 * req/s when it does ~4,500, and our ratio at about twice what it was.
 */
async function throughput(
  fleetdeck: string,
  baseline: string,
  headers: Record<string, string>,
  label: string,
) {
  // What a browser sends: the page is compressed as it would be for an operator.
  const load = { connections: 10, headers: { ...headers, 'accept-encoding': 'gzip, deflate, br' } }
  await runLoad(`${baseline}/tenants`, { ...load, seconds: 1 })
  await runLoad(`${fleetdeck}/tenants`, { ...load, seconds: 1 })
  // Both servers live in this process: its CPU time per answered request is theirs (load from
  // other processes slows the requests down but barely changes this).
  const measured = async (url: string) => {
    const before = process.cpuUsage()
    const result = await runLoad(url, { ...load, seconds: 5 })
    const used = process.cpuUsage(before)
    return { ...result, cpuMs: (used.user + used.system) / 1000 / result.requests }
  }
  const rounds: { ours: LoadResult & { cpuMs: number }; base: LoadResult & { cpuMs: number } }[] =
    []
  for (let round = 0; round < 3; round++) {
    const base = await measured(`${baseline}/tenants`)
    const ours = await measured(`${fleetdeck}/tenants`)
    if (ours.ok !== ours.requests) throw new Error(`/tenants: ${JSON.stringify(ours.byStatus)}`)
    rounds.push({ ours, base })
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[1]
  const ours = median(rounds.map((r) => r.ours.rps))
  const base = median(rounds.map((r) => r.base.rps))
  const ratio = median(rounds.map((r) => r.ours.rps / r.base.rps))
  const p = (k: 'p50' | 'p99' | 'cpuMs', w: 'ours' | 'base') => median(rounds.map((r) => r[w][k]))
  console.log(
    `  /tenants throughput, 10 clients   Fleetdeck ${ours.toFixed(0)} req/s (p50 ${p('p50', 'ours')} ms, p99 ${p('p99', 'ours')} ms; Node CPU ${p('cpuMs', 'ours').toFixed(2)} ms a request)`,
  )
  console.log(
    `                                    ${label} ${base.toFixed(0)} req/s (p50 ${p('p50', 'base')} ms, p99 ${p('p99', 'base')} ms; Node CPU ${p('cpuMs', 'base').toFixed(2)} ms a request)`,
  )
  console.log(
    `                                    ratio ${ratio.toFixed(2)}× the baseline (median of 3 alternating rounds: ${rounds.map((r) => (r.ours.rps / r.base.rps).toFixed(2)).join(', ')}; goal ≥ 0.5×)`,
  )
}

async function queriesPerRequest(base: string, headers: Record<string, string>) {
  const count = async (path: string, extra: Record<string, string> = {}) => {
    await get(base + path, { ...headers, ...extra })
    const before = queries
    for (let i = 0; i < 20; i++) await get(base + path, { ...headers, ...extra })
    return (queries - before) / 20
  }
  console.log(
    `  queries per request               /tenants ${await count('/tenants')}, htmx search ${await count('/tenants?q=company+12', { 'hx-request': 'true' })}, background poll ${await count('/tenants', { 'x-fleetdeck-poll': '1' })}`,
  )
}

async function coldLoad(base: string, headers: Record<string, string>) {
  const { total, parts } = await coldLoadBytes(base, '/tenants', headers)
  console.log(
    `  cold /tenants load on the wire    ${(total / 1024).toFixed(1)} KB (goal ≤ 30 KB): ${parts
      .map(
        (p) =>
          `${p.url.replace(/^\/public\//, '')} ${(p.bytes / 1024).toFixed(1)} KB ${p.encoding}`,
      )
      .join(', ')}`,
  )
}

async function tenantPage(
  handle: DatabaseHandle,
  base: string,
  headers: Record<string, string>,
  tenant: { id: string; slug: string },
) {
  const t0 = performance.now()
  const schema = tenantSchemaName(tenant.slug)
  await sql`create schema ${sql.id(schema)}`.execute(handle.db)
  await migrateTenant(handle.db, schema)
  await fillerSchemas(handle.db, TENANTS - 1)
  const made = ((performance.now() - t0) / 1000).toFixed(0)
  const { p50, p95 } = await latency(`${base}/tenants/${tenant.id}`, headers, 100)
  console.log(
    `  tenant page, ${TENANTS} schemas          p50 ${ms(p50)}   p95 ${ms(p95)}   (catalog built in ${made} s)`,
  )
}

async function auditPage(
  handle: DatabaseHandle,
  base: string,
  headers: Record<string, string>,
  ownerId: string,
) {
  const actors = [ownerId, ...Array.from({ length: 7 }, () => crypto.randomUUID())]
  for (const rows of [12_000, AUDIT_ROWS]) {
    const t0 = performance.now()
    await growAuditLog(handle.db, rows, actors)
    const made = ((performance.now() - t0) / 1000).toFixed(0)
    const page = await latency(`${base}/audit`, headers, 100)
    const filtered = await latency(`${base}/audit?action=tenant.suspend`, headers, 50)
    console.log(
      `  /audit, ${String(rows).padEnd(7)} rows            p50 ${ms(page.p50)}   p95 ${ms(page.p95)}   action filter p50 ${ms(filtered.p50)}   p95 ${ms(filtered.p95)}   (rows added in ${made} s)`,
    )
  }
}

/** Spawns `command` with the embedded database in `dataDir`; resolves once /healthz answers. */
async function startServer(command: string[], dataDir: string, port: number) {
  const t0 = performance.now()
  const child = spawn(command[0], command.slice(1), {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      FLEETDECK_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
    },
    stdio: 'ignore',
    detached: true,
  })
  for (;;) {
    if (performance.now() - t0 > 120_000) throw new Error('server did not answer within 120 s')
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`)
      if (res.ok) return { child, ms: performance.now() - t0 }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function stopServer(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r))
  process.kill(-child.pid!, 'SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
}

async function benchStart() {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-start-'))
  const port = 3900 + Math.floor(Math.random() * 90)
  try {
    console.log('\nEmbedded PGlite: `npm start` → first answered request')
    for (const label of ['fresh data dir', 'warm data dir ']) {
      const { child, ms: took } = await startServer(['npm', 'start'], dir, port)
      await stopServer(child)
      console.log(
        `  ${label}                    ${(took / 1000).toFixed(1)} s${label.startsWith('warm') ? ' (goal ≤ 2 s)' : ''}`,
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function benchPgliteLoad() {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-pglite-'))
  const port = 3900 + Math.floor(Math.random() * 90)
  try {
    const handle = await openDatabase({ url: undefined, dataDir: dir })
    let cookie: string
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle.db, 200, 2000)
      cookie = (await signedInOwner(handle.db)).cookie
    } finally {
      await handle.close()
    }
    const { child } = await startServer(
      [process.execPath, '--import', 'tsx', 'src/server.ts'],
      dir,
      port,
    )
    try {
      const url = `http://127.0.0.1:${port}/tenants`
      await runLoad(url, { connections: 1, amount: 20, headers: { cookie } })
      const idle = memoryOf(child.pid!).rss
      let peak = idle
      const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(child.pid!).rss)), 200)
      const r = await runLoad(url, {
        connections: 50,
        seconds: 20,
        timeoutSeconds: 10,
        headers: { cookie },
      })
      clearInterval(sampler)
      const after = memoryOf(child.pid!).rss
      await new Promise((res) => setTimeout(res, 10_000))
      const settled = memoryOf(child.pid!).rss
      const other = Object.entries(r.byStatus).filter(([code]) => code !== '200')
      console.log(
        `\nEmbedded PGlite under 50 clients for 20 s (/tenants, 200 tenants; server in its own process)`,
      )
      console.log(
        `  answers                          ${r.requests} (${r.rps.toFixed(0)} req/s): ${r.ok} × 200${other.map(([c, n]) => `, ${n} × ${c}`).join('')}; no answer within 10 s: ${r.timeouts}; errors ${r.errors}`,
      )
      console.log(`  latency                          p50 ${r.p50} ms   p99 ${r.p99} ms`)
      console.log(
        `  RSS                              ${idle.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB peak, ${after.toFixed(0)} MiB at the end, ${settled.toFixed(0)} MiB 10 s later`,
      )
    } finally {
      await stopServer(child)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function benchSeed() {
  const { seedDemoFleet } = await import('../src/demo/demo-fleet.js')
  console.log('\nSeed throughput (npm run seed, 2,000-user pool)')
  await withScratchDatabase('fleetdeck_bench_seed', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 8 })
    try {
      await migratePlatform(handle.db)
      const s = await seedDemoFleet(handle, { tenants: 100, users: 2000 })
      console.log(
        `  postgres  ${s.tenantsCreated} tenants: ${s.tenantsPerSecond.toFixed(1)} tenants/s`,
      )
    } finally {
      await handle.close()
    }
  })
}

/**
 * Fleet operations (issue 11): the whole-fleet health check and the fleet migration at --tenants
 * tenants; backups of one tenant (100,000 rows) and of --backup-tenants tenants (default 200: one
 * pg_dump per tenant, whose catalog read grows with the schema count — 2,000 takes ~15 min here).
 */
async function benchFleet() {
  const health = await benchFleetHealth(serverUrl, TENANTS)
  console.log(
    `\nFleet health check, ${TENANTS} tenants: ${health.seconds.toFixed(2)} s (best of 3)`,
  )
  console.log(`  found ${JSON.stringify(health.summary)}`)
  await benchFleetMigrations({ tenants: TENANTS })
  const backupTenants = Number(opts['backup-tenants'] ?? 200)
  await benchFleetBackups({ tenants: backupTenants, rows: 100_000, config: benchConfig() })
}

const started = performance.now()
const ONLY = [
  'only-kit',
  'only-flags',
  'only-bulk',
  'only-health',
  'only-observability',
  'only-dashboard',
  'only-fleet',
  'only-billing',
  'only-citus',
  'only-api',
  'only-audit-export',
] as const
const all = ONLY.every((flag) => !opts[flag])
if (all) await benchPostgres()
if (all && !opts['skip-start']) await benchStart()
if (all && !opts['skip-pglite']) await benchPgliteLoad()
if (all && opts.seed) await benchSeed()
if (opts.kit || opts['only-kit']) await benchKit()
if (opts.bulk || opts['only-bulk'])
  await benchBulk({ tenants: TENANTS, config: benchConfig(), queries: () => queries })
if (all && USERS > 0)
  await benchUsers({
    tenants: TENANTS,
    users: USERS,
    config: benchConfig(),
    queries: () => queries,
  })
if (opts.flags || opts['only-flags'])
  await benchFlags({ tenants: TENANTS, config: benchConfig(), queries: () => queries })
if (opts.health || opts['only-health'])
  await benchHealth({ tenants: TENANTS, config: benchConfig() })
if (opts.observability || opts['only-observability'])
  await benchObservability({ tenants: TENANTS, config: benchConfig() })
if (opts.dashboard || opts['only-dashboard'])
  await benchDashboard({
    tenants: TENANTS,
    users: Number(opts.users ?? 1_000_000),
    config: benchConfig(),
    queries: () => queries,
  })
if (opts.fleet || opts['only-fleet']) await benchFleet()
if (opts.billing || opts['only-billing'])
  await benchBilling({
    tenants: TENANTS,
    events: Number(opts['billing-events'] ?? 5000),
    config: benchConfig(),
  })
if (opts.citus || opts['only-citus'] || opts['citus-url'])
  await benchCitus({
    citusUrl: opts['citus-url'],
    tenants: Number(opts['citus-tenants'] ?? 50),
  })
if (opts.api || opts['only-api'])
  await benchApi({ tenants: TENANTS, config: benchConfig(), queries: () => queries })
if (opts['audit-export'] || opts['only-audit-export'])
  await benchAuditExport({ rows: Number(opts['export-rows'] ?? 1_000_000), config: benchConfig() })
console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`)
