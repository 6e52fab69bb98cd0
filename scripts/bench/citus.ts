// `npm run bench -- --only-citus [--citus-url URL] [--citus-tenants N]` (issue 13, "Numbers for
// the closing note"). In a throwaway database on each server — the local PostgreSQL
// (BENCH_DATABASE_URL), the embedded PGlite, and the Citus coordinator of --citus-url (the
// database is made on every node with Citus set up, as the tests do) — it prints:
//   - tenant creation: N tenants through the onboarding pipeline (tenants/s, s per tenant); on
//     Citus a schema the pipeline left local is distributed by the bench and counted,
//   - a fleet migration: one ADD COLUMN + CREATE INDEX tenant migration over the N tenants as a
//     job run at concurrency 2 (tenants/s),
//   - the storage snapshot: refreshStorageSnapshots over the N tenants (ms, median of 3),
//   - on Citus: a tenant move of ~30 MB (scripts/bench/citus-move.ts).
// Without --citus-url only the plain PostgreSQL and embedded parts run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { tenantSchemaName } from '../../src/db/tenant-schema.js'
import { nodeOfUrl } from '../../src/db/test-citus.js'
import { describeCitus, detectCitus, distributeTenantSchema } from '../../src/fleet/citus.js'
import { drainJobRun } from '../../src/jobs/runner.js'
import { startJobRun } from '../../src/jobs/start-run.js'
import { createTenantRecord, runOnboarding } from '../../src/tenancy/onboarding.js'
import { refreshStorageSnapshots } from '../../src/tenancy/storage.js'
import { withThrowaway } from './citus-database.js'
import { benchTenantMove } from './citus-move.js'
import { serverUrl } from './fixtures.js'

const MIGRATION = `export async function up(db) {
  await db.schema.alterTable('attachments').addColumn('checksum', 'text').execute()
  await db.schema.createIndex('attachments_checksum_idx').on('attachments').column('checksum').execute()
}
`

function config(migrationDir?: string): Config {
  const env: Record<string, string> = {
    FLEETDECK_SECRET_KEY: 'b'.repeat(40),
    NODE_ENV: 'test',
    FLEETDECK_DATA_DIR: tmpdir(),
    LOG_LEVEL: 'silent',
  }
  if (migrationDir) env.TENANT_MIGRATION_DIRS = migrationDir
  return loadConfig(env, () => {})
}

/** N tenants through record + pipeline, one after another; distributes what it left local. */
async function createTenants(handle: DatabaseHandle, n: number) {
  const context = { actor: null }
  const started = performance.now()
  let distributedHere = 0
  const tenants: { id: string; slug: string }[] = []
  for (let i = 0; i < n; i++) {
    const slug = `bench-${i}`
    const fields = { slug, name: `Bench ${i}`, planId: 'free', billingEmail: `b${i}@bench.example` }
    const admin = { firstAdminEmail: `o${i}@bench.example`, firstAdminName: `Owner ${i}` }
    const made = await createTenantRecord(handle.db, context, { ...fields, ...admin })
    if (!made.ok) throw new Error(`tenant ${slug}: ${made.reason}`)
    const outcome = await runOnboarding(handle.db, context, made.tenant.id)
    if (!outcome.ok) throw new Error(`onboarding ${slug}: ${JSON.stringify(outcome)}`)
    const done = await distributeTenantSchema(handle.db, tenantSchemaName(slug))
    if (done === 'distributed') distributedHere++
    tenants.push({ id: made.tenant.id, slug })
  }
  return { tenants, seconds: (performance.now() - started) / 1000, distributedHere }
}

/** The test migration over `tenants` as one job run at concurrency 2; tenants per second. */
async function migrateFleet(handle: DatabaseHandle, tenants: { id: string; slug: string }[]) {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-citus-'))
  writeFileSync(join(dir, '2030010100_checksum.js'), MIGRATION)
  try {
    const items = tenants.map((t) => ({ tenantId: t.id, target: t.slug }))
    const run = await startJobRun(
      handle.db,
      { actor: null },
      {
        ...{ kind: 'tenant_migration', label: 'citus bench', params: { mode: 'run', via: 'cli' } },
        ...{ concurrency: 2, stopAfterFailures: null, items },
      },
    )
    const started = performance.now()
    const ended = await drainJobRun(handle, config(dir), run.id)
    if (ended.status !== 'completed') throw new Error(`fleet migration ended ${ended.status}`)
    return tenants.length / ((performance.now() - started) / 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function snapshotMs(handle: DatabaseHandle): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    await handle.withDedicatedConnection((db) => refreshStorageSnapshots(db))
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)[1]!
}

/** Runs the numbers on one server's throwaway database and prints them under `label`. */
async function benchOn(label: string, handle: DatabaseHandle, n: number, moveMb: number) {
  await migratePlatform(handle.db)
  const citus = await detectCitus(handle.db)
  console.log(`${label} (${describeCitus(citus)}):`)
  const made = await createTenants(handle, n)
  const perTenant = made.seconds / n
  const note = citus ? `; ${made.distributedHere} left local by the pipeline, distributed here` : ''
  console.log(
    `  tenant creation: ${(n / made.seconds).toFixed(2)} tenants/s, ${perTenant.toFixed(3)} s per tenant${note}`,
  )
  const rate = await migrateFleet(handle, made.tenants)
  console.log(
    `  fleet migration (ADD COLUMN + CREATE INDEX), job at 2: ${rate.toFixed(1)} tenants/s`,
  )
  console.log(`  storage snapshot over ${n} tenants: ${(await snapshotMs(handle)).toFixed(0)} ms`)
  if (citus) await benchTenantMove(handle.db, made.tenants[0]!.slug, moveMb)
}

/** Prints the issue 13 numbers; see the head of this file. */
export async function benchCitus(options: { citusUrl?: string; tenants: number; moveMb?: number }) {
  const { tenants: n, moveMb = 30 } = options
  console.log(`\nCitus numbers (issue 13), ${n} tenants each:`)
  const embedded = await openDatabase({ url: undefined, dataDir: 'memory://' })
  await benchOn('embedded PGlite', embedded, n, moveMb).finally(() => embedded.close())
  await withThrowaway(serverUrl, (h) => benchOn(`PostgreSQL ${hostOf(serverUrl)}`, h, n, moveMb))
  if (options.citusUrl) {
    const url = options.citusUrl
    await withThrowaway(url, (h) => benchOn(`Citus coordinator ${hostOf(url)}`, h, n, moveMb))
  }
}

function hostOf(url: string): string {
  const node = nodeOfUrl(url)
  return `${node.host}:${node.port}`
}
