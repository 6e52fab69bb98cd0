import { sql } from 'kysely'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { backupKey, readBackupFile, writeBackupFile } from './backup-file.js'
import { backupPath, createTenantBackup } from './backups.js'
import { restoreTenantBackup } from './restore.js'

// Second review of issue 11 item 5, item 5: an embedded dump whose header says
// standard_conforming_strings = on predates the backslash fix and may have lost lines.

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-restore-pre-fix' }

describe('restoring an embedded dump from before the backslash fix', () => {
  it('is refused as pre_fix_dump, the schema untouched', async () => {
    const tenant = await createTenant(t.db)
    const made = await createTenantBackup(t.database, config, context, tenant.id, 'manual')
    if (!made.ok) throw new Error(made.reason)
    const path = backupPath(config, made.backup)
    const key = backupKey(config.secretKey)
    const read = await readBackupFile(path, key, made.backup.sha256)
    if (!read.ok) throw new Error(read.reason)
    const old = read.sql.replace(/^SET standard_conforming_strings = off;$/m, '')
    const text = old.replace(/^SET client_encoding = [^\n]*$/m, (line) =>
      [line, 'SET standard_conforming_strings = on;'].join('\n'),
    )
    const written = await writeBackupFile(Readable.from([text]), path, key)
    await sql`update tenant_backups set format = 'pglite', sha256 = ${written.sha256}
      where id = ${made.backup.id}`.execute(t.db)
    await changeTenantStatus(t.db, context, tenant.id, 'suspend')
    const rows = await tenantRows(t.db, tenant.slug)

    const result = await restoreTenantBackup(t.database, config, context, {
      ...{ tenantId: tenant.id, backupId: made.backup.id, typedSlug: tenant.slug },
    })

    expect(result).toEqual({ ok: false, reason: 'pre_fix_dump' })
    expect(text).toMatch(/^SET standard_conforming_strings = on;$/m)
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
  })
})
