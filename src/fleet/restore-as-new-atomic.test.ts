import { describe, expect, it, vi } from 'vitest'
import { countSchemaTables, tenantSchemaName } from '../db/tenant-schema.js'
import { findTenantBySlug } from '../db/tenants.js'
import { createTenant, newTenantFields } from '../test-support/factories.js'
import { tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { createTenantBackup } from './backups.js'
import { restoreBackupAsNewTenant } from './restore-as-new.js'

// Review finding 3 (issue 11 item 5): the replay, the tenant row and the audit are ONE
// transaction, so a failure after the replay leaves no orphan tenant_<slug> holding another
// tenant's data for a concurrent create of that slug to adopt.

const crash = vi.hoisted(() => ({ next: false }))
vi.mock('../tenancy/onboarding.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../tenancy/onboarding.js')>()
  const failing =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A) => {
      if (crash.next) throw new Error('crash after the replay')
      return f(...args)
    }
  return {
    ...real,
    createTenantRecord: failing(real.createTenantRecord),
    insertTenantRecord: failing(real.insertTenantRecord),
  }
})

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-restore-new-atomic' }

describe('restoreBackupAsNewTenant is atomic', () => {
  it('leaves no schema and no tenant when writing the tenant row fails after the replay', async () => {
    const source = await createTenant(t.db)
    const made = await createTenantBackup(t.database, config, context, source.id, 'manual')
    if (!made.ok) throw new Error(made.reason)
    const fields = newTenantFields()
    crash.next = true

    const run = restoreBackupAsNewTenant(t.database, config, context, made.backup.id, fields)

    await expect(run).rejects.toThrow('crash after the replay')
    crash.next = false
    expect(await countSchemaTables(t.db, tenantSchemaName(fields.slug))).toBeUndefined()
    expect(await findTenantBySlug(t.db, fields.slug)).toBeUndefined()
    expect(await countSchemaTables(t.db, tenantSchemaName(source.slug))).toBeGreaterThan(0)
  })
})
