import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../db/tenant-backups.js'
import { insertAttachments } from '../db/tenant-schema.js'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { backupPath, createTenantBackup } from './backups.js'
import { restoreTenantBackup } from './restore.js'

// Review finding 2 (issue 11 item 5): pre_restore backups do not count toward BACKUP_RETENTION.

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir(), BACKUP_RETENTION: '1' })
const context = { actor: null, requestId: 'req-restore-retention' }
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute))

describe('restore under BACKUP_RETENTION 1', () => {
  it('keeps the restored backup and the pre_restore backup, across restores and later backups', async () => {
    const tenant = await createTenant(t.db)
    const made = await createTenantBackup(t.database, config, context, tenant.id, 'manual', {
      now: at(1),
    })
    if (!made.ok) throw new Error(made.reason)
    const rows = await tenantRows(t.db, tenant.slug)
    await changeTenantStatus(t.db, context, tenant.id, 'suspend')
    await insertAttachments(t.db, tenant.slug, [
      { fileName: 'later.txt', contentType: 'text/plain', fileSize: 1 },
    ])
    const input = { tenantId: tenant.id, backupId: made.backup.id, typedSlug: tenant.slug }

    const first = await restoreTenantBackup(t.database, config, context, input, at(2))
    const second = await restoreTenantBackup(t.database, config, context, input, at(3))

    if (!first.ok || !second.ok) throw new Error('restore refused')
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    const kept = await listTenantBackups(t.db, tenant.id)
    expect(kept.map((b) => b.id).sort()).toEqual(
      [made.backup.id, first.preRestore!.id, second.preRestore!.id].sort(),
    )
    expect(existsSync(backupPath(config, made.backup))).toBe(true)
    const next = await createTenantBackup(t.database, config, context, tenant.id, 'manual', {
      now: at(4),
    })
    if (!next.ok) throw new Error(next.reason)
    const after = (await listTenantBackups(t.db, tenant.id)).map((b) => b.reason).sort()
    expect(after).toEqual(['manual', 'pre_restore', 'pre_restore'])
    expect(existsSync(backupPath(config, first.preRestore!))).toBe(true)
  })
})
