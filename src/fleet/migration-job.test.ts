import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { toJobItem, type JobRun } from '../db/job-runs.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import {
  ADD_COLUMN_AND_INDEX,
  appliedIn,
  tenantMigrationFolder,
} from '../test-support/tenant-migrations.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { migrateTenantItem } from './migration-job.js'
import { startMigrationRun } from './migration-runs.js'

const t = useTestDatabase()
const folder = tenantMigrationFolder({ '2030010100_checksum': ADD_COLUMN_AND_INDEX })
afterAll(() => folder.remove())

/** Runs item `seq` of `run` the way the runner would. */
async function runItem(run: JobRun, seq: number) {
  const row = await t.db
    .selectFrom('job_items')
    .selectAll()
    .where('run_id', '=', run.id)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow()
  const work = { db: t.db, database: t.database, config: folder.config, run, item: toJobItem(row) }
  return migrateTenantItem({ ...work, now: () => new Date() })
}

/** A canary run of `slugs`; the previous test's run is marked completed (no runner here). */
async function startRun(slugs: string[]): Promise<JobRun> {
  await t.db
    .updateTable('job_runs')
    .set({ status: 'completed' })
    .where('status', '=', 'running')
    .execute()
  const options = { migrationDirs: [folder.dir], via: 'console' as const }
  const started = await startMigrationRun(
    t.database,
    { actor: null },
    { mode: 'canary', slugs },
    options,
  )
  if (!started.ok) throw new Error(started.reason)
  return started.run
}

describe('the tenant_migration item', () => {
  it('applies the pending migration and audits it in the same transaction, once', async () => {
    const tenant = await createTenant(t.db, { slug: 'item-one' })
    const run = await startRun(['item-one'])

    expect(await runItem(run, 1)).toEqual({
      status: 'done',
      result: { applied: ['2030010100_checksum'] },
    })
    expect(await runItem(run, 1)).toEqual({ status: 'skipped', reason: 'nothing pending' })

    expect(await appliedIn(t.db, 'tenant_item_one')).toEqual([
      '2026112100_baseline',
      '2030010100_checksum',
    ])
    const entries = (await auditEntries(t.db, 'tenant.migrate')).filter(
      (e) => e.tenant_id === tenant.id,
    )
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      batch_id: run.id,
      before: { applied: 1, last: '2026112100_baseline' },
      after: { applied: ['2030010100_checksum'], via: 'console' },
    })
  })

  it('a tenant whose table was altered fails with the error and keeps its schema as it was', async () => {
    const tenant = await createTenant(t.db, { slug: 'item-clash' })
    const run = await startRun(['item-clash'])
    await sql`alter table tenant_item_clash.attachments add column checksum int`.execute(t.db)

    await expect(runItem(run, 1)).rejects.toThrow(
      /tenant tenant_item_clash migration 2030010100_checksum failed: .*checksum/,
    )

    expect(await appliedIn(t.db, 'tenant_item_clash')).toEqual(['2026112100_baseline'])
    const entries = await auditEntries(t.db, 'tenant.migrate')
    expect(entries.filter((e) => e.tenant_id === tenant.id)).toEqual([])
  })

  it('skips a tenant deleted or failed after the run started, with why', async () => {
    const deleted = await createTenant(t.db, { slug: 'item-deleted' })
    const failed = await createTenant(t.db, { slug: 'item-failed' })
    const run = await startRun(['item-deleted', 'item-failed'])
    await sql`update tenants set status = 'deleted' where id = ${deleted.id}`.execute(t.db)
    await sql`update tenants set status = 'failed' where id = ${failed.id}`.execute(t.db)

    expect(await runItem(run, 1)).toEqual({ status: 'skipped', reason: 'the tenant is deleted' })
    expect(await runItem(run, 2)).toEqual({
      status: 'skipped',
      reason: 'the tenant is failed: onboarding owns it',
    })
    expect(await appliedIn(t.db, tenantSchemaName('item-deleted'))).toEqual(['2026112100_baseline'])
  })
})
