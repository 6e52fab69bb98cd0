import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { toJobItem, type JobRun } from '../db/job-runs.js'
import { listTenantBackups } from '../db/tenant-backups.js'
import { countSchemaTables } from '../db/tenant-schema.js'
import { tenantSchemaName } from '../db/tenants.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { setTenantProtection } from '../tenancy/protection.js'
import { undeleteTenant } from '../tenancy/undelete.js'
import { backupPath } from './backups.js'
import { purgeHandler } from './purge.js'
import { startPurgeRun } from './purge-run.js'
import { drainJobRun } from '../jobs/runner.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const T1 = new Date('2026-12-01T10:00:00.000Z')
const at = (days: number) => new Date(T1.getTime() + days * 86_400_000)

/** Runs every item of `run` through the purge handler at `now`, as the runner would. */
async function runItems(run: JobRun, now: Date) {
  const rows = await t.db
    .selectFrom('job_items')
    .selectAll()
    .where('run_id', '=', run.id)
    .orderBy('seq')
    .execute()
  const outcomes = []
  for (const item of rows.map(toJobItem))
    outcomes.push({
      target: item.target,
      ...(await purgeHandler.runItem({
        db: t.db,
        database: t.database,
        config,
        run,
        item,
        now: () => now,
      })),
    })
  return outcomes
}

const schemaExists = async (slug: string) =>
  (await countSchemaTables(t.db, tenantSchemaName(slug))) !== undefined
const clearRuns = () =>
  t.db.updateTable('job_runs').set({ status: 'completed' }).where('kind', '=', 'purge').execute()

describe('purge', () => {
  it('after the grace period drops schema, memberships and backups, audited as the system; a second run is a no-op', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config, now: T1 })
    const [backup] = await listTenantBackups(t.db, tenant.id)
    await clearRuns()

    const run = await startPurgeRun(t.db, at(14))
    const outcomes = await runItems(run!, at(14))

    expect(outcomes).toContainEqual({
      target: tenant.slug,
      status: 'done',
      result: expect.objectContaining({ backupsRemoved: 1, bytesFreed: backup.sizeBytes }),
    })
    expect(await schemaExists(tenant.slug)).toBe(false)
    expect(existsSync(backupPath(config, backup))).toBe(false)
    expect(await listTenantBackups(t.db, tenant.id)).toEqual([])
    const members = await t.db
      .selectFrom('memberships')
      .select('user_id')
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(members).toEqual([])
    const row = await t.db
      .selectFrom('tenants')
      .select(['status', 'purge_after'])
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ status: 'deleted', purge_after: null })
    const entry = (await auditEntries(t.db, 'tenant.purge')).find((e) => e.tenant_id === tenant.id)
    expect(entry).toMatchObject({
      actor_id: null,
      after: { schemaDropped: tenantSchemaName(tenant.slug), backupsRemoved: 1 },
    })

    const audit = await countRows(t.db, 'audit_log')
    expect(await runItems(run!, at(15))).toContainEqual({
      target: tenant.slug,
      status: 'skipped',
      reason: 'already purged',
    })
    await clearRuns()
    expect(await startPurgeRun(t.db, at(15))).toBeUndefined()
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
    expect(await undeleteTenant(t.db, {}, tenant.id, at(15))).toMatchObject({
      ok: false,
      reason: 'purged',
      purgedAt: at(14),
    })
  })

  it('leaves tenants not yet due and protected ones, even one protected after its run started', async () => {
    const early = await createTenant(t.db)
    const held = await createTenant(t.db)
    const late = await createTenant(t.db)
    await deleteTestTenant(t.database, early.id, { config, now: at(1) })
    for (const x of [held, late]) await deleteTestTenant(t.database, x.id, { config, now: T1 })
    await setTenantProtection(t.db, {}, held.id, true, T1)
    await clearRuns()

    const run = await startPurgeRun(t.db, at(14))
    await setTenantProtection(t.db, {}, late.id, true, at(14))
    const outcomes = await runItems(run!, at(14))

    expect(outcomes.map((o) => o.target)).toEqual([late.slug])
    expect(outcomes[0]).toMatchObject({ status: 'skipped', reason: 'the tenant is protected' })
    for (const x of [early, held, late]) expect(await schemaExists(x.slug)).toBe(true)
    const ids = [early.id, held.id, late.id]
    const purged = (await auditEntries(t.db, 'tenant.purge')).filter((e) =>
      ids.includes(e.tenant_id!),
    )
    expect(purged).toEqual([])
  })

  it('runs through the job runner: the registered purge kind settles the item done', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config, now: T1 })
    await clearRuns()

    const run = await startPurgeRun(t.db, at(20))
    const ended = await drainJobRun(t.database, config, run!.id, { now: () => at(20) })

    expect(ended.status).toBe('completed')
    const items = await t.db
      .selectFrom('job_items')
      .select(['target', 'status'])
      .where('run_id', '=', run!.id)
      .execute()
    // The earlier test's tenant deleted a day later is due by now too.
    expect(items).toContainEqual({ target: tenant.slug, status: 'done' })
    expect(items.every((i) => i.status === 'done')).toBe(true)
    expect(await schemaExists(tenant.slug)).toBe(false)
  })
})
