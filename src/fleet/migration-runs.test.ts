import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimJobItems } from '../db/job-claims.js'
import type { JobRun } from '../db/job-runs.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { drainJobRun } from '../jobs/runner.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { itemStatuses } from '../test-support/jobs.js'
import {
  ADD_COLUMN_AND_INDEX,
  appliedIn,
  tenantMigrationFolder,
} from '../test-support/tenant-migrations.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { tenantMigrationHandler } from './migration-job.js'
import { startMigrationRun, type MigrationRunRequest } from './migration-runs.js'

const t = useTestDatabase()
const folder = tenantMigrationFolder({ '2030010100_checksum': ADD_COLUMN_AND_INDEX })
afterAll(() => folder.remove())
const SLUGS = ['run-a', 'run-b', 'run-c', 'run-d', 'run-e', 'run-f']
const NEW = '2030010100_checksum'

beforeAll(async () => {
  for (const slug of SLUGS) await createTenant(t.db, { slug })
})

async function start(request: MigrationRunRequest): Promise<JobRun> {
  const options = { migrationDirs: [folder.dir], via: 'console' as const }
  const started = await startMigrationRun(t.database, { actor: null }, request, options)
  if (!started.ok) throw new Error(started.reason)
  return started.run
}

/** Runs the run's items to the end here, counting how many ran at once. */
async function drain(run: JobRun, now?: () => Date) {
  let inFlight = 0
  let most = 0
  const counting = {
    ...tenantMigrationHandler,
    async runItem(work: Parameters<typeof tenantMigrationHandler.runItem>[0]) {
      most = Math.max(most, ++inFlight)
      await new Promise((resolve) => setTimeout(resolve, 20))
      return tenantMigrationHandler.runItem(work).finally(() => inFlight--)
    },
  }
  const ended = await drainJobRun(t.database, folder.config, run.id, { handlers: [counting], now })
  return { ended, most }
}

const migrated = async () => {
  const done: string[] = []
  for (const slug of SLUGS)
    if ((await appliedIn(t.db, tenantSchemaName(slug))).includes(NEW)) done.push(slug)
  return done
}

describe('fleet migration runs', () => {
  it('a canary of 2 migrates exactly the first two tenants and ends', async () => {
    const { ended } = await drain(await start({ mode: 'canary', count: 2 }))

    expect(ended.status).toBe('completed')
    expect(await migrated()).toEqual(['run-a', 'run-b'])
  })

  it('a killed worker’s item is claimed again after its lease and applied exactly once', async () => {
    const run = await start({ mode: 'canary', slugs: ['run-c'] })
    const claim = { workerId: 'dead', limit: 1, leaseSeconds: 30, now: new Date(), runId: run.id }
    const [held] = await claimJobItems(t.database.jobDb, claim)
    // The dead worker committed the tenant's migration, then died before settling the item.
    await tenantMigrationHandler.runItem({
      db: t.db,
      database: t.database,
      config: folder.config,
      run: held.run,
      item: held.item,
      now: () => new Date(),
    })

    expect((await drain(run)).ended.status).toBe('running')
    const later = () => new Date(Date.now() + 60_000)
    const { ended } = await drain(run, later)

    expect(ended.status).toBe('completed')
    expect(await itemStatuses(t.db, run.id)).toEqual(['skipped'])
    expect(await appliedIn(t.db, 'tenant_run_c')).toEqual(['2026112100_baseline', NEW])
    const entries = (await auditEntries(t.db, 'tenant.migrate')).filter(
      (e) => e.batch_id === run.id,
    )
    expect(entries).toHaveLength(1)
  })

  it('a run with 2 workers migrates the rest; a failing tenant is recorded and the others go on', async () => {
    await sql`alter table tenant_run_e.attachments add column checksum int`.execute(t.db)
    const run = await start({ mode: 'run', concurrency: 2, stopAfterFailures: null })

    expect(run.total).toBe(3)
    const { ended, most } = await drain(run)

    expect(most).toBe(2)
    expect(ended).toMatchObject({ status: 'failed', stopReason: '1 of 3 items failed' })
    expect(await migrated()).toEqual(['run-a', 'run-b', 'run-c', 'run-d', 'run-f'])
    const items = await t.db
      .selectFrom('job_items')
      .selectAll()
      .where('run_id', '=', run.id)
      .execute()
    expect(items.find((i) => i.target === 'run-e')?.error).toMatch(
      /migration 2030010100_checksum failed/,
    )
  })

  it('stops after K failures, leaving the rest pending', async () => {
    const extra = tenantMigrationFolder({
      '2030030100_break': `export async function up() { throw new Error('no') }`,
    })
    try {
      const options = { migrationDirs: [extra.dir], via: 'console' as const }
      const request = { mode: 'run' as const, concurrency: 1, stopAfterFailures: 2 }
      const started = await startMigrationRun(t.database, { actor: null }, request, options)
      if (!started.ok) throw new Error(started.reason)
      await drainJobRun(t.database, extra.config, started.run.id)

      const statuses = await itemStatuses(t.db, started.run.id)
      expect(statuses.slice(0, 2)).toEqual(['failed', 'failed'])
      expect(statuses.slice(2).every((s) => s === 'pending')).toBe(true)
    } finally {
      extra.remove()
    }
  })
})
