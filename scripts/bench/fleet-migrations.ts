// `npm run bench` (wired by the lead): fleet migrations (issue 11 item 4, "Numbers for the
// closing note"). PostgreSQL, a scratch database with --tenants tenants (default 2,000) migrated
// to the baseline, then a tenant migration of one ADD COLUMN + CREATE INDEX written into a
// temporary TENANT_MIGRATION_DIRS folder:
//   - the pending report (median of 3; goal ≤ 1 s),
//   - a third of the tenants migrated as a job at concurrency 1, a third at 2 (tenants/s),
//   - the last third by psql running the same DDL in one loop, the ratio (goal ≥ 0.8×).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { migratePlatform, migrateTenant } from '../../src/db/migrate.js'
import { tenantSchemaName } from '../../src/db/tenant-schema.js'
import { buildPendingReport } from '../../src/fleet/fleet-migrations.js'
import { drainJobRun } from '../../src/jobs/runner.js'
import { runBounded } from '../../src/jobs/run-bounded.js'
import { startJobRun } from '../../src/jobs/start-run.js'
import { withScratchDatabase } from './fixtures.js'

const MIGRATION = `export async function up(db) {
  await db.schema.alterTable('attachments').addColumn('checksum', 'text').execute()
  await db.schema.createIndex('attachments_checksum_idx').on('attachments').column('checksum').execute()
}
`

async function loadTenants(handle: DatabaseHandle, count: number): Promise<string[]> {
  await sql`
    insert into tenants (id, slug, name, status, plan_id, billing_email, first_admin_email, first_admin_name, created_at, updated_at)
    select gen_random_uuid(), 'mig-' || i, 'Migrating ' || i, 'active', 'free',
      'billing' || i || '@bench.example', 'owner' || i || '@bench.example', 'Owner ' || i,
      now() - ((${count} - i) || ' seconds')::interval, now()
    from generate_series(1, ${count}) i`.execute(handle.db)
  const rows = await handle.db.selectFrom('tenants').select('slug').orderBy('created_at').execute()
  const slugs = rows.map((r) => r.slug)
  await runBounded(slugs, 4, async (slug) => {
    await sql`create schema ${sql.id(tenantSchemaName(slug))}`.execute(handle.db)
    await migrateTenant(handle.db, tenantSchemaName(slug))
  })
  await sql`analyze`.execute(handle.db)
  return slugs
}

/** Migrates `slugs` as one job run at `concurrency`, driven here; tenants per second. */
async function migrateAsJob(
  handle: DatabaseHandle,
  config: Config,
  slugs: string[],
  concurrency: number,
): Promise<number> {
  const tenants = await handle.db.selectFrom('tenants').select(['id', 'slug']).execute()
  const ids = new Map(tenants.map((t) => [t.slug, t.id]))
  const run = await startJobRun(
    handle.db,
    { actor: null },
    {
      kind: 'tenant_migration',
      label: `bench at ${concurrency}`,
      params: { mode: 'run', via: 'cli' },
      concurrency,
      stopAfterFailures: null,
      items: slugs.map((slug) => ({ tenantId: ids.get(slug)!, target: slug })),
    },
  )
  const started = performance.now()
  const ended = await drainJobRun(handle, config, run.id, {
    log: (line) => console.error(JSON.stringify(line)),
  })
  const seconds = (performance.now() - started) / 1000
  if (ended.status !== 'completed') {
    const { rows } = await sql<{ error: string; n: number }>`
      select left(error, 300) as error, count(*)::int as n, min(seq) as first, max(seq) as last,
        max(finished_at - started_at) as longest from job_items
      where run_id = ${run.id} and status = 'failed' group by 1`.execute(handle.db)
    console.error(rows)
  }
  if (ended.status !== 'completed')
    throw new Error(`bench run ended ${ended.status}: ${ended.stopReason ?? ''}`)
  return slugs.length / seconds
}

/** The same DDL for `slugs` through psql, one statement after another; tenants per second. */
function migrateWithPsql(url: string, slugs: string[]): number {
  const script = slugs
    .map((slug) => {
      const s = `"${tenantSchemaName(slug)}"`
      return `alter table ${s}.attachments add column checksum text;\ncreate index attachments_checksum_idx on ${s}.attachments (checksum);`
    })
    .join('\n')
  const started = performance.now()
  const psql = spawnSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url], { input: script })
  if (psql.status !== 0) throw new Error(`psql failed: ${psql.stderr}`)
  return slugs.length / ((performance.now() - started) / 1000)
}

/** Prints the fleet-migration numbers; see the head of this file. */
export async function benchFleetMigrations(options: { tenants: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-migrations-'))
  writeFileSync(join(dir, '2030010100_checksum.js'), MIGRATION)
  const config = loadConfig(
    {
      FLEETDECK_SECRET_KEY: 'b'.repeat(40),
      NODE_ENV: 'test',
      FLEETDECK_DATA_DIR: tmpdir(),
      LOG_LEVEL: 'silent',
      TENANT_MIGRATION_DIRS: dir,
    },
    () => {},
  )
  try {
    await withScratchDatabase('fleetdeck_bench_migrations', async (url) => {
      const handle = await openDatabase({ url, dataDir: '', poolSize: 4 })
      try {
        await migratePlatform(handle.db)
        const t0 = performance.now()
        const slugs = await loadTenants(handle, options.tenants)
        console.log(
          `fleet migrations: ${slugs.length} tenants loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
        )
        const times: number[] = []
        for (let i = 0; i < 3; i++)
          times.push((await buildPendingReport(handle, config.tenantMigrationDirs)).tookMs)
        const report = await buildPendingReport(handle, config.tenantMigrationDirs)
        console.log(
          `  pending report (${report.tenants.length} tenants behind): ${times.sort((a, b) => a - b)[1].toFixed(0)} ms median of 3`,
        )
        const third = Math.floor(slugs.length / 3)
        const one = await migrateAsJob(handle, config, slugs.slice(0, third), 1)
        const two = await migrateAsJob(handle, config, slugs.slice(third, 2 * third), 2)
        const raw = migrateWithPsql(url, slugs.slice(2 * third))
        console.log(
          `  job at concurrency 1: ${one.toFixed(1)} tenants/s (${(one / raw).toFixed(2)}× psql)`,
        )
        console.log(
          `  job at concurrency 2: ${two.toFixed(1)} tenants/s (${(two / raw).toFixed(2)}× psql)`,
        )
        console.log(`  psql, same DDL in one loop: ${raw.toFixed(1)} tenants/s`)
      } catch (error) {
        console.error('fleet migrations bench failed:', error)
        throw error
      } finally {
        await handle.close()
      }
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
