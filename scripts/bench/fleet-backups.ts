// `benchFleetBackups` (issue 11 "Numbers for the closing note"): on PostgreSQL, in a scratch
// database, with tenants made by the real onboarding pipeline:
//   1. backup of one tenant holding `rows` attachment rows: seconds and MB on disk;
//   2. restore of that tenant into its own schema (suspended; includes the pre_restore backup
//      the restore takes first, and the replay alone): seconds;
//   3. backup of the fleet (`tenants` tenants, the backup job at its concurrency, drained in
//      process): seconds, MB on disk, tenants/s.
// Not a test: nothing here asserts. The lead wires it into scripts/bench.ts.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import type { Config } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { tenantSchemaName } from '../../src/db/tenant-schema.js'
import { startFleetBackup } from '../../src/fleet/backup-job.js'
import { createTenantBackup } from '../../src/fleet/backups.js'
import { restoreTenantBackup } from '../../src/fleet/restore.js'
import { drainJobRun } from '../../src/jobs/runner.js'
import { changeTenantStatus } from '../../src/tenancy/lifecycle.js'
import { createTenant } from '../../src/test-support/factories.js'
import { withScratchDatabase } from './fixtures.js'

export type FleetBackupBenchOptions = { tenants: number; rows: number; config: Config }

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const value = await work()
  return [value, performance.now() - t0]
}

export async function benchFleetBackups(options: FleetBackupBenchOptions): Promise<void> {
  const backupDir = mkdtempSync(join(tmpdir(), 'fleetdeck-bench-backups-'))
  const config = { ...options.config, backupDir }
  console.log(
    `\n== fleet backups (PostgreSQL, ${options.tenants} tenants, ${options.rows} rows) ==`,
  )
  try {
    await withScratchDatabase('fleetdeck_bench_backups', async (url) => {
      const handle = await openDatabase({ url, dataDir: '', jobWorkers: config.jobWorkers })
      try {
        await migratePlatform(handle.db)
        const big = await createTenant(handle.db)
        await sql`insert into ${sql.table(`${tenantSchemaName(big.slug)}.attachments`)}
          (file_name, content_type, file_size, created_at)
          select 'file-' || i || '.pdf', 'application/pdf', i * 10, now()
          from generate_series(1, ${options.rows}) i`.execute(handle.db)
        const ctx = { actor: null }
        const [one, oneMs] = await timed(() =>
          createTenantBackup(handle, config, ctx, big.id, 'manual'),
        )
        if (!one.ok) throw new Error(one.reason)
        console.log(`backup of one tenant   ${s(oneMs)}   ${mb(one.backup.sizeBytes)} on disk`)
        await changeTenantStatus(handle.db, ctx, big.id, 'suspend')
        const input = { tenantId: big.id, backupId: one.backup.id, typedSlug: big.slug }
        const [restored, restoreMs] = await timed(() =>
          restoreTenantBackup(handle, config, ctx, input),
        )
        if (!restored.ok) throw new Error(restored.reason)
        console.log(`restore of one tenant  ${s(restoreMs)}   (with its pre_restore backup)`)
        for (let i = 1; i < options.tenants; i++) await createTenant(handle.db)
        const run = await startFleetBackup(handle.db, ctx)
        const [, fleetMs] = await timed(() => drainJobRun(handle, config, run.id))
        const { rows } = await sql<{ bytes: number }>`select coalesce(sum(size_bytes), 0)::bigint
          as bytes from tenant_backups where run_id = ${run.id}`.execute(handle.db)
        const rate = (run.total / (fleetMs / 1000)).toFixed(1)
        console.log(
          `backup of the fleet    ${s(fleetMs)}   ${mb(Number(rows[0].bytes))}   ${rate} tenants/s (concurrency ${run.concurrency})`,
        )
      } finally {
        await handle.close()
      }
    })
  } finally {
    rmSync(backupDir, { recursive: true, force: true })
  }
}
