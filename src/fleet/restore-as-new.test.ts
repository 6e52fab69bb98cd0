import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createTenantSchema, tenantSchemaName } from '../db/tenant-schema.js'
import { findTenantBySlug } from '../db/tenants.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createTenant, newTenantFields } from '../test-support/factories.js'
import { addAwkwardRows, tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { createTenantBackup } from './backups.js'
import { restoreBackupAsNewTenant } from './restore-as-new.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-restore-new' }

async function backedUpTenant() {
  const tenant = await createTenant(t.db)
  await addAwkwardRows(t.db, tenant.slug, 600)
  const made = await createTenantBackup(t.database, config, context, tenant.id, 'manual')
  if (!made.ok) throw new Error(made.reason)
  return { tenant, backup: made.backup }
}

/** Rows of a schema without its own audit log, which onboarding of the copy appends to. */
async function dataRows(slug: string) {
  const { audit_log: _, ...rest } = await tenantRows(t.db, slug)
  return rest
}

describe('restoreBackupAsNewTenant', () => {
  it('makes an active tenant with the same rows, leaving the source as it was', async () => {
    const { tenant, backup } = await backedUpTenant()
    const sourceRows = await tenantRows(t.db, tenant.slug)
    const fields = newTenantFields()

    const result = await restoreBackupAsNewTenant(t.database, config, context, backup.id, fields)

    if (!result.ok) throw new Error(result.reason)
    expect(result.tenant).toMatchObject({ slug: fields.slug, status: 'active' })
    expect(await dataRows(fields.slug)).toEqual(await dataRows(tenant.slug))
    expect(await tenantRows(t.db, tenant.slug)).toEqual(sourceRows)
    const [entry] = (await auditEntries(t.db, 'tenant.restore')).filter(
      (e) => e.target_id === result.tenant.id,
    )
    expect(entry.after).toMatchObject({ backupId: backup.id, sourceTenantId: tenant.id })
  })

  it('works when the source schema is gone', async () => {
    const { tenant, backup } = await backedUpTenant()
    const before = await dataRows(tenant.slug)
    await sql`drop schema ${sql.id(tenantSchemaName(tenant.slug))} cascade`.execute(t.db)
    const fields = newTenantFields()

    const result = await restoreBackupAsNewTenant(t.database, config, context, backup.id, fields)

    expect(result.ok).toBe(true)
    expect(await dataRows(fields.slug)).toEqual(before)
  })

  it('refuses a taken slug and an orphan schema of that name, creating nothing', async () => {
    const { tenant, backup } = await backedUpTenant()
    const orphan = newTenantFields()
    await createTenantSchema(t.db, orphan.slug)
    const tenants = await countRows(t.db, 'tenants')

    const taken = await restoreBackupAsNewTenant(t.database, config, context, backup.id, {
      ...newTenantFields(),
      slug: tenant.slug,
    })
    const clash = await restoreBackupAsNewTenant(t.database, config, context, backup.id, orphan)

    expect(taken).toEqual({ ok: false, reason: 'slug_taken' })
    expect(clash).toEqual({ ok: false, reason: 'schema_exists' })
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
    expect(await findTenantBySlug(t.db, orphan.slug)).toBeUndefined()
  })

  it('refuses an unknown backup', async () => {
    const result = await restoreBackupAsNewTenant(
      t.database,
      config,
      context,
      crypto.randomUUID(),
      newTenantFields(),
    )

    expect(result).toEqual({ ok: false, reason: 'backup_not_found' })
  })
})
