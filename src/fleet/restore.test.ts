import { readFileSync, writeFileSync } from 'node:fs'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { listTenantBackups } from '../db/tenant-backups.js'
import { insertAttachments, tenantSchemaName } from '../db/tenant-schema.js'
import { findTenantById } from '../db/tenants.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { addAwkwardRows, tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { backupPath, createTenantBackup } from './backups.js'
import { restoreTenantBackup } from './restore.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-restore' }

/** A suspended tenant with awkward rows and one manual backup of them. */
async function backedUpTenant() {
  const tenant = await createTenant(t.db)
  await addAwkwardRows(t.db, tenant.slug)
  const rows = await tenantRows(t.db, tenant.slug)
  const made = await createTenantBackup(t.database, config, context, tenant.id, 'manual')
  if (!made.ok) throw new Error(made.reason)
  await changeTenantStatus(t.db, context, tenant.id, 'suspend')
  return { tenant, rows, backup: made.backup }
}

function restore(tenantId: string, backupId: string, typedSlug: string) {
  return restoreTenantBackup(t.database, config, context, { tenantId, backupId, typedSlug })
}

describe('restoreTenantBackup', () => {
  it('brings back every row of every table after the schema was dropped', async () => {
    const { tenant, rows, backup } = await backedUpTenant()
    await sql`drop schema ${sql.id(tenantSchemaName(tenant.slug))} cascade`.execute(t.db)

    const result = await restore(tenant.id, backup.id, tenant.slug)

    expect(result.ok).toBe(true)
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    expect(Object.keys(rows)).toContain('kysely_migration')
    const [entry] = (await auditEntries(t.db, 'tenant.restore')).filter(
      (e) => e.target_id === tenant.id,
    )
    expect(entry.after).toMatchObject({ backupId: backup.id, preRestoreBackupId: null })
  })

  it('replaces changed rows, after a pre_restore backup of what it replaces', async () => {
    const { tenant, rows, backup } = await backedUpTenant()
    await insertAttachments(t.db, tenant.slug, [
      { fileName: 'later.txt', contentType: 'text/plain', fileSize: 1 },
    ])

    const result = await restore(tenant.id, backup.id, tenant.slug)

    if (!result.ok) throw new Error(result.reason)
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    expect(result.preRestore?.reason).toBe('pre_restore')
    // Sequences come back too: the next insert does not collide with a restored id.
    await insertAttachments(t.db, tenant.slug, [
      { fileName: 'next.txt', contentType: 'text/plain', fileSize: 2 },
    ])
  })

  it('refuses an active tenant, a wrong typed slug and another tenant’s backup, changing nothing', async () => {
    const { tenant, backup } = await backedUpTenant()
    const other = await createTenant(t.db)
    await insertAttachments(t.db, tenant.slug, [
      { fileName: 'kept.txt', contentType: 'text/plain', fileSize: 3 },
    ])
    const rows = await tenantRows(t.db, tenant.slug)

    expect(await restore(tenant.id, backup.id, 'wrong-slug')).toEqual({
      ok: false,
      reason: 'slug_mismatch',
    })
    expect(await restore(other.id, backup.id, other.slug)).toMatchObject({
      reason: 'backup_not_found',
    })
    await changeTenantStatus(t.db, context, tenant.id, 'activate')
    expect(await restore(tenant.id, backup.id, tenant.slug)).toMatchObject({
      reason: 'not_restorable',
    })
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    expect(await listTenantBackups(t.db, tenant.id)).toHaveLength(1)
  })

  it('refuses a tampered file and a file under another key, touching nothing', async () => {
    const { tenant, backup } = await backedUpTenant()
    await sql`delete from ${sql.table(`${tenantSchemaName(tenant.slug)}.attachments`)}`.execute(
      t.db,
    )
    const rows = await tenantRows(t.db, tenant.slug)
    const path = backupPath(config, backup)
    const original = readFileSync(path)
    const otherKey = testConfig({
      BACKUP_DIR: config.backupDir,
      FLEETDECK_SECRET_KEY: 'y'.repeat(40),
    })

    const wrongKey = await restoreTenantBackup(t.database, otherKey, context, {
      tenantId: tenant.id,
      backupId: backup.id,
      typedSlug: tenant.slug,
    })
    const flipped = Buffer.from(original)
    flipped[flipped.length - 40] ^= 1
    writeFileSync(path, flipped)
    const tampered = await restore(tenant.id, backup.id, tenant.slug)

    expect(wrongKey).toEqual({ ok: false, reason: 'undecryptable' })
    expect(tampered).toEqual({ ok: false, reason: 'checksum_mismatch' })
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    expect(await listTenantBackups(t.db, tenant.id)).toHaveLength(1)
    expect((await findTenantById(t.db, tenant.id))?.status).toBe('suspended')
  })
})
