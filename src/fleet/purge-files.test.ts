import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { toJobItem, type JobRun } from '../db/job-runs.js'
import { listTenantBackups } from '../db/tenant-backups.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { setTenantProtection } from '../tenancy/protection.js'
import { backupPath } from './backups.js'
import { purgeHandler } from './purge.js'
import { startPurgeRun } from './purge-run.js'

// A hook run before every file removal: lets a test act "while the purge removes files".
const hook = vi.hoisted(() => ({ beforeRm: undefined as undefined | (() => Promise<void>) }))
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>()
  const rm: typeof fs.rm = async (path, options) => {
    const before = hook.beforeRm
    hook.beforeRm = undefined
    if (before) await before()
    return fs.rm(path, options)
  }
  return { ...fs, default: { ...fs, rm }, rm }
})

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const T1 = new Date('2026-12-01T10:00:00.000Z')
const at = (days: number) => new Date(T1.getTime() + days * 86_400_000)

async function purgeItemOf(run: JobRun, tenantId: string, now: Date) {
  const row = await t.db
    .selectFrom('job_items')
    .selectAll()
    .where('run_id', '=', run.id)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow()
  const work = { db: t.db, database: t.database, config, run, item: toJobItem(row) }
  return purgeHandler.runItem({ ...work, now: () => now })
}

const clearRuns = () =>
  t.db.updateTable('job_runs').set({ status: 'completed' }).where('kind', '=', 'purge').execute()

describe('purge and backup files', () => {
  it('removes backup files only after its transaction commits: a protection arriving meanwhile cannot leave a skipped tenant without backups', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config, now: T1 })
    const [backup] = await listTenantBackups(t.db, tenant.id)
    await clearRuns()
    const run = await startPurgeRun(t.db, at(14))
    hook.beforeRm = async () => {
      await setTenantProtection(t.db, {}, tenant.id, true, at(14))
    }

    const outcome = await purgeItemOf(run!, tenant.id, at(14))

    // The purge committed first, so the protection came too late (refused: purged).
    expect(outcome).toMatchObject({ status: 'done' })
    expect(existsSync(backupPath(config, backup))).toBe(false)
    expect(await listTenantBackups(t.db, tenant.id)).toEqual([])
    const row = await t.db
      .selectFrom('tenants')
      .select(['protected', 'purge_after'])
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ protected: false, purge_after: null })
  })

  it('a re-claimed item of a purged tenant removes backup files a crash after the commit left behind', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config, now: T1 })
    await clearRuns()
    const run = await startPurgeRun(t.db, at(14))
    expect(await purgeItemOf(run!, tenant.id, at(14))).toMatchObject({ status: 'done' })
    const stray = join(config.backupDir, tenant.slug, 'stray.sql.gz.enc')
    mkdirSync(join(config.backupDir, tenant.slug), { recursive: true })
    writeFileSync(stray, 'left by a crash')

    const again = await purgeItemOf(run!, tenant.id, at(14))

    expect(again).toEqual({ status: 'skipped', reason: 'already purged' })
    expect(existsSync(stray)).toBe(false)
  })
})
