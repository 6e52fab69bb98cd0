// npm run bench — prints the numbers the closing notes quote. Not a test: nothing here asserts.
//   1. /tenants server time (p50, p95) with 2,000 tenants on PostgreSQL: first page, a search,
//      a status filter — in-process through app.request(), so it is server time only.
//   2. Seed throughput through the onboarding pipeline, tenants per second, on PostgreSQL and PGlite.
//   3. Time from `npm start` to the first answered request, on a fresh and on a warm data dir.
// Needs the local PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres);
// it creates and drops databases of its own there. Options: --tenants N (default 2000), --skip-start.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import pg from 'pg'
import { createApp } from '../src/app.js'
import { createSession } from '../src/auth/session.js'
import { loadConfig } from '../src/config.js'
import { openDatabase, type DatabaseHandle } from '../src/db/database.js'
import { migratePlatform } from '../src/db/migrate.js'
import { insertSuperAdmin } from '../src/db/super-admins.js'
import { seedDemoFleet, seedUserPool } from '../src/demo/demo-fleet.js'
import { refreshStorageSnapshots } from '../src/tenancy/storage.js'

const { values: opts } = parseArgs({
  options: { tenants: { type: 'string' }, 'skip-start': { type: 'boolean' } },
})
const TENANTS = Number(opts.tenants ?? 2000)
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

async function withScratchDatabase<T>(name: string, work: (url: string) => Promise<T>): Promise<T> {
  await admin((c) => c.query(`drop database if exists ${name} with (force)`))
  await admin((c) => c.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  try {
    return await work(url.toString())
  } finally {
    await admin((c) => c.query(`drop database if exists ${name} with (force)`))
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/**
 * A fleet of `count` tenants the fast way (bulk SQL, 50 members each on average, real schemas
 * only for the pipeline benchmark): this part measures reading the table, not writing it.
 */
async function bulkFleet(handle: DatabaseHandle, count: number) {
  const { db } = handle
  const { pool } = await seedUserPool(db, 100_000)
  await sql`
    insert into tenants (id, slug, name, status, plan_id, billing_email, first_admin_email, first_admin_name, created_at, updated_at)
    select gen_random_uuid(), 'bench-' || i, 'Bench Company ' || i,
      (array['active','active','active','active','suspended','failed'])[1 + i % 6],
      (array['free','professional','enterprise'])[1 + i % 3],
      'billing' || i || '@bench.example', 'owner' || i || '@bench.example', 'Owner ' || i,
      now() - (i || ' minutes')::interval, now()
    from generate_series(1, ${count}) i`.execute(db)
  const ids = pool.map((u) => u.id)
  await sql`
    insert into memberships (user_id, tenant_id, role, created_at)
    select distinct on (t.id, u.uid) u.uid, t.id, 'member', now()
    from tenants t
    cross join lateral (
      select (${ids}::uuid[])[1 + floor(random() * ${ids.length})::int] as uid
      from generate_series(1, 1 + (abs(hashtext(t.id::text)) % 50))
    ) u
    on conflict do nothing`.execute(db)
  await sql`
    insert into storage_snapshots (tenant_id, db_bytes, file_bytes, taken_at)
    select id, 200000 + (abs(hashtext(id::text)) % 5000000), abs(hashtext(slug)) % 900000000, now() from tenants`.execute(
    db,
  )
  await sql`analyze`.execute(db)
}

async function benchTenantsPage() {
  return withScratchDatabase('fleetdeck_bench_tenants', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle, TENANTS)
      const config = loadConfig(
        { FLEETDECK_SECRET_KEY: 'b'.repeat(40), NODE_ENV: 'test', FLEETDECK_DATA_DIR: tmpdir() },
        () => {},
      )
      const app = createApp({ config, database: handle })
      const owner = await insertSuperAdmin(handle.db, {
        email: 'bench@fleetdeck.test',
        name: 'Bench',
        role: 'owner',
      })
      await handle.db
        .updateTable('super_admins')
        .set({ mfa_enabled: true })
        .where('id', '=', owner.id)
        .execute()
      const { token } = await createSession(handle.db, owner.id, { twoFactorVerified: true })
      const headers = { cookie: `fleetdeck_session=${token}` }
      const cases = [
        ['first page', '/tenants'],
        ['search "company 12"', '/tenants?q=company+12'],
        ['status filter suspended', '/tenants?status=suspended'],
        ['first page, htmx fragment', '/tenants'],
      ] as const
      const counts = await handle.db
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      console.log(
        `\n/tenants on PostgreSQL with ${TENANTS} tenants, ${counts.n} memberships (server time, 200 requests each after 20 warm-up)`,
      )
      for (const [label, path] of cases) {
        const extra: Record<string, string> = label.includes('htmx') ? { 'hx-request': 'true' } : {}
        for (let i = 0; i < 20; i++) await app.request(path, { headers: { ...headers, ...extra } })
        const times: number[] = []
        for (let i = 0; i < 200; i++) {
          const t0 = performance.now()
          const res = await app.request(path, { headers: { ...headers, ...extra } })
          await res.text()
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}`)
          times.push(performance.now() - t0)
        }
        times.sort((a, b) => a - b)
        console.log(
          `  ${label.padEnd(28)} p50 ${percentile(times, 50).toFixed(1)} ms   p95 ${percentile(times, 95).toFixed(1)} ms`,
        )
      }
      const t0 = performance.now()
      const n = await handle.withDedicatedConnection((own) => refreshStorageSnapshots(own))
      console.log(
        `  storage snapshot refresh over ${n} tenants: ${(performance.now() - t0).toFixed(0)} ms (bulk tenants have no schema: catalog query only)`,
      )
    } finally {
      await handle.close()
    }
  })
}

async function benchSeed(kind: 'postgres' | 'pglite', tenants: number) {
  const run = async (handle: DatabaseHandle) => {
    await migratePlatform(handle.db)
    const summary = await seedDemoFleet(handle, { tenants, users: 2000 })
    console.log(
      `  ${kind.padEnd(9)} ${summary.tenantsCreated} tenants in ${summary.pipelineSeconds.toFixed(1)} s through the pipeline: ${summary.tenantsPerSecond.toFixed(1)} tenants/s`,
    )
  }
  if (kind === 'postgres') {
    await withScratchDatabase('fleetdeck_bench_seed', async (url) => {
      const handle = await openDatabase({ url, dataDir: '', poolSize: 8 })
      try {
        await run(handle)
      } finally {
        await handle.close()
      }
    })
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-'))
    const handle = await openDatabase({ url: undefined, dataDir: dir })
    try {
      await run(handle)
    } finally {
      await handle.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Spawns `npm start` and times until /healthz answers 200. */
async function timeStart(dataDir: string, port: number): Promise<number> {
  const t0 = performance.now()
  const child = spawn('npm', ['start'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      FLEETDECK_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: 'ignore',
    detached: true,
  })
  try {
    for (;;) {
      if (performance.now() - t0 > 120_000) throw new Error('server did not answer within 120 s')
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`)
        if (res.ok) return performance.now() - t0
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM')
    await new Promise((r) => setTimeout(r, 1500))
  }
}

await benchTenantsPage()
console.log('\nSeed throughput (npm run seed, 2,000-user pool)')
await benchSeed('postgres', 100)
await benchSeed('pglite', 25)
if (!opts['skip-start']) {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-start-'))
  const port = 3900 + Math.floor(Math.random() * 90)
  console.log('\nnpm start → first answered request (embedded database)')
  console.log(`  fresh data dir ${((await timeStart(dir, port)) / 1000).toFixed(1)} s`)
  console.log(`  warm data dir  ${((await timeStart(dir, port)) / 1000).toFixed(1)} s`)
  rmSync(dir, { recursive: true, force: true })
}
