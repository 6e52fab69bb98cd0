import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../db/tenant-backups.js'
import { drainJobRun } from '../jobs/runner.js'
import { deleteTenant } from '../tenancy/deletion.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { itemStatuses } from '../test-support/jobs.js'
import { tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { backupTask, startFleetBackup } from './backup-job.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-backup-job' }

describe('the backup job kind', () => {
  it('backs up every live tenant once, skipping one deleted after the run started', async () => {
    const tenants = [await createTenant(t.db), await createTenant(t.db), await createTenant(t.db)]
    const gone = await createTenant(t.db)
    const run = await startFleetBackup(t.db, context)
    // No pre_delete backup here: the run's own backup of it is what this test is about.
    const skipBackup = async () => ({ ok: false as const, reason: 'schema_missing' })
    await deleteTenant(t.db, context, gone.id, { backup: skipBackup, graceDays: 14 })

    const ended = await drainJobRun(t.database, config, run.id)

    expect(ended.status).toBe('completed')
    const statuses = await itemStatuses(t.db, run.id)
    expect(statuses.filter((s) => s === 'skipped')).toHaveLength(1)
    expect(statuses.filter((s) => s === 'done')).toHaveLength(run.total - 1)
    for (const tenant of tenants) {
      const backups = await listTenantBackups(t.db, tenant.id)
      expect(backups.map((b) => [b.reason, b.runId])).toEqual([['manual', run.id]])
    }
    const audited = (await auditEntries(t.db, 'tenant.backup')).filter((e) => e.batch_id === run.id)
    expect(audited).toHaveLength(run.total - 1)
  })

  it('finds its work done when an item is run again, making no second backup', async () => {
    const tenant = await createTenant(t.db)
    const run = await startFleetBackup(t.db, context)
    await drainJobRun(t.database, config, run.id)
    await t.db
      .updateTable('job_items')
      .set({ status: 'pending' })
      .where('run_id', '=', run.id)
      .execute()

    await drainJobRun(t.database, config, run.id)

    expect(await listTenantBackups(t.db, tenant.id)).toHaveLength(1)
  })

  it('starts a nightly run labelled scheduled, and none while one is still open', async () => {
    const tenant = await createTenant(t.db)
    const task = backupTask(t.database)

    const first = await task.run()
    const second = await task.run()

    expect(first).toMatchObject({ kind: 'backup', params: { reason: 'scheduled' } })
    expect(second).toBeUndefined()
    await drainJobRun(t.database, config, (first as { id: string }).id)
    expect((await listTenantBackups(t.db, tenant.id))[0].reason).toBe('scheduled')
  })
})
