import { sql } from 'kysely'
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { createTenantBackup } from './backups.js'
import { restoreTenantBackup } from './restore.js'
import { hasUnsafeDumpText } from './dump-safety.js'

// Second review of issue 11 item 5, item 1: PGlite's pg_dump deletes lines starting
// `\restrict`, so a quoted name holding one turned the rest of the name into SQL.

const t = useTestDatabase()
const dir = tempBackupDir()
const config = testConfig({ BACKUP_DIR: dir })
const context = { actor: null, requestId: 'req-dump-safety' }
const forged = (s: string) =>
  `create table ${s}.t("a\n\\restrict" int, " int);DROP SCHEMA tenant_other CASCADE;` +
  `CREATE TABLE ${s}.d(b int," int, "int\n\\restrict" int)`

async function backupRows(tenantId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from tenant_backups where tenant_id = ${tenantId}`.execute(t.db)
  return rows[0].n
}

describe('unsafe dump text', () => {
  it('is found in column names, function bodies and comments, and not in a plain schema', async () => {
    const s = tenantSchemaName((await createTenant(t.db)).slug)
    expect(await hasUnsafeDumpText(t.db, s)).toBe(false)
    await sql.raw(forged(s)).execute(t.db)
    expect(await hasUnsafeDumpText(t.db, s)).toBe(true)
    await sql.raw(`drop table ${s}.t`).execute(t.db)
    await sql
      .raw(`create function ${s}.f() returns int language sql as $$ select 1 /* \n\\restrict */ $$`)
      .execute(t.db)
    expect(await hasUnsafeDumpText(t.db, s)).toBe(true)
    await sql
      .raw(`drop function ${s}.f(); comment on schema ${s} is E'x\\n\\\\restrict'`)
      .execute(t.db)
    expect(await hasUnsafeDumpText(t.db, s)).toBe(true)
  })

  it.skipIf(process.env.TEST_DATABASE_URL)(
    'refuses an embedded backup of a schema whose names forge a \\restrict line, writing nothing',
    async () => {
      const tenant = await createTenant(t.db)
      await sql.raw(forged(tenantSchemaName(tenant.slug))).execute(t.db)

      const made = await createTenantBackup(t.database, config, context, tenant.id, 'manual')

      expect(made).toEqual({ ok: false, reason: 'unsafe_dump_text' })
      expect(await backupRows(tenant.id)).toBe(0)
      expect(readdirSync(dir)).not.toContain(tenant.slug)
    },
  )

  it.skipIf(process.env.TEST_DATABASE_URL)(
    'refuses to restore over a schema it cannot back up first, changing nothing',
    async () => {
      const tenant = await createTenant(t.db)
      const made = await createTenantBackup(t.database, config, context, tenant.id, 'manual')
      if (!made.ok) throw new Error(made.reason)
      const schema = tenantSchemaName(tenant.slug)
      await sql.raw(forged(schema)).execute(t.db)
      await changeTenantStatus(t.db, context, tenant.id, 'suspend')
      const input = { tenantId: tenant.id, backupId: made.backup.id, typedSlug: tenant.slug }

      const result = await restoreTenantBackup(t.database, config, context, input)

      expect(result).toEqual({ ok: false, reason: 'pre_restore_failed' })
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_tables where schemaname = ${schema}
          and tablename = 't'`.execute(t.db)
      expect(rows[0].n).toBe(1)
      expect(await backupRows(tenant.id)).toBe(1)
    },
  )
})
