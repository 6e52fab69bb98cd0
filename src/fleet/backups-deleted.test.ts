import { sql } from 'kysely'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../db/tenant-backups.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { createTenantBackup } from './backups.js'
import { restoreTenantBackup } from './restore.js'

// Review finding 4 (issue 11 item 5): no new copy of a deleted tenant's data, except the
// pre_delete backup and the pre_restore backup that restoring it within its grace period takes.

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-backups-deleted' }

describe('createTenantBackup of a deleted tenant', () => {
  it('refuses a manual or scheduled backup, writing no file and no row', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config })
    const before = await listTenantBackups(t.db, tenant.id)

    const manual = await createTenantBackup(t.database, config, context, tenant.id, 'manual')
    const scheduled = await createTenantBackup(t.database, config, context, tenant.id, 'scheduled')

    expect(manual).toEqual({ ok: false, reason: 'tenant_deleted' })
    expect(scheduled).toEqual({ ok: false, reason: 'tenant_deleted' })
    expect(before.map((b) => b.reason)).toEqual(['pre_delete'])
    expect(await listTenantBackups(t.db, tenant.id)).toEqual(before)
    expect(readdirSync(join(config.backupDir, tenant.slug))).toEqual([
      before[0].fileName.split('/')[1],
    ])
  })

  it('still restores a tenant deleted within its grace period, after a pre_restore backup', async () => {
    const tenant = await createTenant(t.db)
    const deleted = await deleteTestTenant(t.database, tenant.id, { config })
    const [preDelete] = await listTenantBackups(t.db, deleted.id)

    const result = await restoreTenantBackup(t.database, config, context, {
      ...{ tenantId: tenant.id, backupId: preDelete.id, typedSlug: tenant.slug },
    })

    if (!result.ok) throw new Error(result.reason)
    expect(result.preRestore?.reason).toBe('pre_restore')
    const reasons = (await listTenantBackups(t.db, tenant.id)).map((b) => b.reason).sort()
    expect(reasons).toEqual(['pre_delete', 'pre_restore'])
  })

  it('refuses even a pre_delete or pre_restore backup once the tenant is purged or due', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config })
    const before = await listTenantBackups(t.db, tenant.id)
    const setPurgeAfter = (at: Date | null) =>
      sql`update tenants set purge_after = ${at} where id = ${tenant.id}`.execute(t.db)

    await setPurgeAfter(new Date(Date.now() - 60_000))
    const due = await createTenantBackup(t.database, config, context, tenant.id, 'pre_restore')
    await setPurgeAfter(null)
    const purged = await createTenantBackup(t.database, config, context, tenant.id, 'pre_delete')

    expect(due).toEqual({ ok: false, reason: 'tenant_deleted' })
    expect(purged).toEqual({ ok: false, reason: 'tenant_deleted' })
    expect(await listTenantBackups(t.db, tenant.id)).toEqual(before)
  })
})
