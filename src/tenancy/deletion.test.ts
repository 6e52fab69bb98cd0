import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../db/tenant-backups.js'
import { countSchemaTables } from '../db/tenant-schema.js'
import { tenantSchemaName } from '../db/tenants.js'
import { backupPath, createTenantBackup } from '../fleet/backups.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { addAwkwardRows, tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { deleteTenant, type PreDeleteBackup } from './deletion.js'
import { setTenantProtection } from './protection.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-deletion' }
const T1 = new Date('2026-12-01T10:00:00.000Z')
const DAY = 86_400_000

const realBackup: PreDeleteBackup = (tenant) =>
  createTenantBackup(t.database, config, context, tenant.id, 'pre_delete', { now: T1 })
const remove = (id: string, backup = realBackup) =>
  deleteTenant(t.db, context, id, { backup, graceDays: 14, now: T1 })
const memberships = (id: string) =>
  t.db.selectFrom('memberships').selectAll().where('tenant_id', '=', id).execute()

describe('deleteTenant (grace period)', () => {
  it('takes a pre_delete backup, keeps schema, rows and memberships, and sets purge_after 14 days on', async () => {
    const tenant = await createTenant(t.db)
    await addAwkwardRows(t.db, tenant.slug, 20)
    const rows = await tenantRows(t.db, tenant.slug)

    const result = await remove(tenant.id)

    if (!result.ok) throw new Error(result.reason)
    const purgeAfter = new Date(T1.getTime() + 14 * DAY)
    expect(result.tenant).toMatchObject({ status: 'deleted', deletedAt: T1, purgeAfter })
    const [backup] = await listTenantBackups(t.db, tenant.id)
    expect(backup).toMatchObject({ id: result.backupId, reason: 'pre_delete' })
    expect(existsSync(backupPath(config, backup))).toBe(true)
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    expect(await memberships(tenant.id)).toHaveLength(1)
    const entry = (await auditEntries(t.db, 'tenant.delete')).at(-1)
    expect(entry).toMatchObject({ tenant_id: tenant.id, before: { status: 'active' } })
    expect(entry?.after).toMatchObject({
      status: 'deleted',
      backupId: backup.id,
      purgeAfter: purgeAfter.toISOString(),
    })
  })

  it('refuses a protected tenant before any backup, and writes nothing', async () => {
    const tenant = await createTenant(t.db)
    await setTenantProtection(t.db, context, tenant.id, true, T1)
    const audit = await countRows(t.db, 'audit_log')
    let backedUp = false

    const result = await remove(tenant.id, async (x) => ((backedUp = true), realBackup(x)))

    expect(result).toEqual({ ok: false, reason: 'protected' })
    expect(backedUp).toBe(false)
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
    expect(
      (
        await t.db
          .selectFrom('tenants')
          .select('status')
          .where('id', '=', tenant.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('active')
  })

  it('refuses with the reason when the backup fails, and changes nothing', async () => {
    const tenant = await createTenant(t.db)
    const audit = await countRows(t.db, 'audit_log')

    const result = await remove(tenant.id, async () => ({ ok: false, reason: 'tenant_not_found' }))

    expect(result).toEqual({ ok: false, reason: 'backup_failed', detail: 'tenant not found' })
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
    expect(await countSchemaTables(t.db, tenantSchemaName(tenant.slug))).toBeGreaterThan(0)
  })

  it('deletes a failed tenant with no schema without a backup, and says so in the audit', async () => {
    const tenant = await createTenant(t.db)
    await t.db.schema.dropSchema(tenantSchemaName(tenant.slug)).cascade().execute()
    await t.db
      .updateTable('tenants')
      .set({ status: 'failed' })
      .where('id', '=', tenant.id)
      .execute()

    const result = await remove(tenant.id)

    expect(result).toMatchObject({ ok: true, backupId: null })
    expect((await auditEntries(t.db, 'tenant.delete')).at(-1)?.after).toMatchObject({
      backupId: null,
      backupSkipped: 'no schema to back up',
    })
  })

  it('refuses a tenant already deleted, and an unknown one', async () => {
    const tenant = await createTenant(t.db)
    await remove(tenant.id)

    expect(await remove(tenant.id)).toEqual({ ok: false, reason: 'already_deleted' })
    expect(await remove(crypto.randomUUID())).toEqual({ ok: false, reason: 'tenant_not_found' })
  })
})
