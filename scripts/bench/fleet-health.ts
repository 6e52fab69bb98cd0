// `npm run bench` (wired by the lead): the fleet health check (issue 11 item 2, "Numbers for the
// closing note"). PostgreSQL, a scratch database with `tenants` tenants (default 2,000) each with
// its schema built by the tenant migrations, then the example faults — 1 missing schema,
// 1 orphan schema, 2 behind on migrations, 1 dropped column — and the whole-fleet check
// (runFleetHealthCheck: dedicated connection, reference schema, catalog reads, comparison, stored
// results and tenants.health), timed end to end, best of 3. Not a test: nothing here asserts.
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import pg from 'pg'
import { loadConfig } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { migratePlatform, migrateTenant } from '../../src/db/migrate.js'
import { tenantSchemaName } from '../../src/db/tenant-schema.js'
import { runFleetHealthCheck, type StoredHealthCheck } from '../../src/fleet/health-check.js'
import { runBounded } from '../../src/jobs/run-bounded.js'
import { serverUrl } from './fixtures.js'

/** A tenant migration (ADD COLUMN + CREATE INDEX) the two "behind" tenants lack. */
const EXTRA = fileURLToPath(new URL('../../src/fleet/test-migrations', import.meta.url))

async function loadTenants(handle: DatabaseHandle, count: number): Promise<string[]> {
  await sql`
    insert into tenants (id, slug, name, status, plan_id, billing_email, first_admin_email, first_admin_name, created_at, updated_at)
    select gen_random_uuid(), 'health-' || i, 'Health ' || i, 'active', 'free',
      'billing' || i || '@bench.example', 'owner' || i || '@bench.example', 'Owner ' || i,
      now(), now()
    from generate_series(1, ${count}) i`.execute(handle.db)
  const rows = await handle.db.selectFrom('tenants').select('slug').orderBy('slug').execute()
  const slugs = rows.map((r) => r.slug)
  await runBounded(slugs, 4, async (slug) => {
    await sql`create schema ${sql.id(tenantSchemaName(slug))}`.execute(handle.db)
    await migrateTenant(handle.db, tenantSchemaName(slug), [EXTRA])
  })
  return slugs
}

/** The example: 1 missing, 1 orphan, 2 behind (without EXTRA's migration), 1 drift. */
async function injectFaults(handle: DatabaseHandle, slugs: string[]): Promise<void> {
  const [missing, behindA, behindB, drifted] = slugs.map(tenantSchemaName)
  await sql.raw(`drop schema ${missing} cascade`).execute(handle.db)
  await sql.raw(`create schema tenant_left_behind`).execute(handle.db)
  for (const schema of [behindA, behindB]) {
    await sql.raw(`drop schema ${schema} cascade; create schema ${schema}`).execute(handle.db)
    await migrateTenant(handle.db, schema)
  }
  await sql.raw(`alter table ${drifted}.attachments drop column file_size`).execute(handle.db)
  await sql`analyze`.execute(handle.db)
}

async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/**
 * The whole-fleet health check on `tenants` tenant schemas, in a scratch database created on
 * the server of `url` (dropped afterwards): seconds, best of 3, with the summary it found.
 */
export async function benchFleetHealth(
  url: string,
  tenants = 2000,
): Promise<{ seconds: number; summary: StoredHealthCheck['summary'] }> {
  const name = `fleetdeck_bench_health_${process.pid}`
  const scratch = new URL(url)
  scratch.pathname = `/${name}`
  await onServer(url, `create database ${name}`)
  const handle = await openDatabase({ url: scratch.toString(), dataDir: '', poolSize: 4 })
  try {
    await migratePlatform(handle.db)
    const t0 = performance.now()
    const slugs = await loadTenants(handle, tenants)
    console.log(
      `fleet health: ${tenants} tenants loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    )
    await injectFaults(handle, slugs.slice(0, 4))
    const config = loadConfig(
      {
        TENANT_MIGRATION_DIRS: EXTRA,
        FLEETDECK_SECRET_KEY: 'x'.repeat(40),
        NODE_ENV: 'test',
        FLEETDECK_DATA_DIR: tmpdir(),
        LOG_LEVEL: 'silent',
      },
      () => {},
    )
    let best: StoredHealthCheck | undefined
    for (let i = 0; i < 3; i++) {
      const check = await runFleetHealthCheck(handle, config)
      if (!best || check.durationMs < best.durationMs) best = check
    }
    return { seconds: best!.durationMs / 1000, summary: best!.summary }
  } finally {
    await handle.close()
    await onServer(url, `drop database if exists ${name} with (force)`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tenants = Number(process.argv[2] ?? 2000)
  const { seconds, summary } = await benchFleetHealth(serverUrl, tenants)
  console.log(`fleet health check, ${tenants} tenants: ${seconds.toFixed(2)} s`, summary)
}
