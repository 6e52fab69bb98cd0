import { existsSync, readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../db/tenant-backups.js'
import { tenantSchemaName } from '../db/tenants.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { addAwkwardRows, tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { backupPath, createTenantBackup } from './backups.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir(), BACKUP_RETENTION: '2' })
const context = { actor: null, requestId: 'req-backups' }
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute))

describe('createTenantBackup', () => {
  it('writes an encrypted, checksummed file, its row and a tenant.backup audit entry', async () => {
    const tenant = await createTenant(t.db)
    await addAwkwardRows(t.db, tenant.slug, 50)

    const result = await createTenantBackup(t.database, config, context, tenant.id, 'manual')

    if (!result.ok) throw new Error(result.reason)
    const file = readFileSync(backupPath(config, result.backup))
    expect(file.subarray(0, 4).toString()).toBe('FDBK')
    expect(file.includes(Buffer.from('CREATE TABLE'))).toBe(false)
    expect(result.backup.sizeBytes).toBe(file.length)
    expect(result.backup.fileName.startsWith(`${tenant.slug}/`)).toBe(true)
    expect(result.backup.migrations.length).toBeGreaterThan(0)
    expect(await listTenantBackups(t.db, tenant.id)).toEqual([result.backup])
    const [entry] = (await auditEntries(t.db, 'tenant.backup')).filter(
      (e) => e.target_id === tenant.id,
    )
    expect(entry.after).toMatchObject({
      id: result.backup.id,
      sha256: result.backup.sha256,
      sizeBytes: file.length,
      reason: 'manual',
    })
  })

  it('leaves the shared session as it was: search path, no open transaction', async () => {
    const tenant = await createTenant(t.db)

    await createTenantBackup(t.database, config, context, tenant.id, 'manual')

    const { rows } = await sql<{
      path: string
    }>`select current_setting('search_path') as path`.execute(t.db)
    expect(rows[0].path).toContain('public')
    await expect(sql`create temp table after_dump (x int)`.execute(t.db)).resolves.toBeDefined()
  })

  it('keeps the newest BACKUP_RETENTION backups, deleting older files, but never pre_delete ones', async () => {
    const tenant = await createTenant(t.db)
    const take = async (minute: number, reason: 'manual' | 'pre_delete') => {
      const r = await createTenantBackup(t.database, config, context, tenant.id, reason, {
        now: at(minute),
      })
      if (!r.ok) throw new Error(r.reason)
      return r.backup
    }
    const preDelete = await take(1, 'pre_delete')
    const oldest = await take(2, 'manual')
    await take(3, 'manual')
    const newest = await take(4, 'manual')

    const kept = await listTenantBackups(t.db, tenant.id)
    expect(kept.map((b) => b.createdAt)).toEqual([at(4), at(3), at(1)])
    expect(existsSync(backupPath(config, oldest))).toBe(false)
    expect(existsSync(backupPath(config, preDelete))).toBe(true)
    const entries = await auditEntries(t.db, 'tenant.backup')
    const last = entries.find((e) => (e.after as { id: string }).id === newest.id)
    expect(last?.after).toMatchObject({ pruned: [oldest.id] })
  })

  it('refuses a tenant whose schema is missing, writing nothing', async () => {
    const tenant = await createTenant(t.db)
    await sql`drop schema ${sql.id(tenantSchemaName(tenant.slug))} cascade`.execute(t.db)

    const result = await createTenantBackup(t.database, config, context, tenant.id, 'manual')

    expect(result).toEqual({ ok: false, reason: 'schema_missing' })
    expect(await listTenantBackups(t.db, tenant.id)).toEqual([])
    expect(existsSync(`${config.backupDir}/${tenant.slug}`)).toBe(false)
  })

  it('refuses an unknown tenant', async () => {
    const result = await createTenantBackup(
      t.database,
      config,
      context,
      crypto.randomUUID(),
      'manual',
    )

    expect(result).toEqual({ ok: false, reason: 'tenant_not_found' })
  })
})
