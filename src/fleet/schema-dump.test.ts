import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { insertAttachments, tenantSchemaName } from '../db/tenant-schema.js'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { createTenantBackup } from './backups.js'
import { restoreTenantBackup } from './restore.js'
import { prepareDumpForReplay } from './dump-text.js'
import { replayDump } from './schema-dump.js'

// Issue 11 item 5 review finding 1: tenant data must never be edited into SQL at restore.

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-schema-dump' }
const hostile = [
  'hi\n\\restrict x',
  'x\nSET search_path = evil;',
  '), (3, null); create table public.pwned(x int); --',
  "y\n\\unrestrict x\nSELECT pg_catalog.set_config('search_path', '', false);",
]

async function relationExists(name: string): Promise<boolean> {
  const { rows } = await sql<{ r: string | null }>`select to_regclass(${name})::text as r`.execute(
    t.db,
  )
  return rows[0].r !== null
}

describe('schema dump replay', () => {
  it('round-trips rows that look like psql commands or SETs byte-exactly, running none of them', async () => {
    const tenant = await createTenant(t.db)
    const files = hostile.map((fileName) => ({ fileName, contentType: 'text/plain', fileSize: 1 }))
    await insertAttachments(t.db, tenant.slug, files)
    const rows = await tenantRows(t.db, tenant.slug)
    const made = await createTenantBackup(t.database, config, context, tenant.id, 'manual')
    if (!made.ok) throw new Error(made.reason)
    await changeTenantStatus(t.db, context, tenant.id, 'suspend')
    await sql`delete from ${sql.table(`${tenantSchemaName(tenant.slug)}.attachments`)}`.execute(
      t.db,
    )

    const result = await restoreTenantBackup(t.database, config, context, {
      ...{ tenantId: tenant.id, backupId: made.backup.id, typedSlug: tenant.slug },
    })

    expect(result.ok).toBe(true)
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    const names = await sql<{ file_name: string }>`select file_name from ${sql.table(
      `${tenantSchemaName(tenant.slug)}.attachments`,
    )} order by id`.execute(t.db)
    expect(names.rows.map((r) => r.file_name)).toEqual(hostile)
    expect(await relationExists('public.pwned')).toBe(false)
  })

  it('rewrites SETs only in the header and drops only the exact restrict pair', () => {
    const dump = [
      '--',
      '\\restrict k3Y',
      '',
      'SET statement_timeout = 0;',
      'SET standard_conforming_strings = off;',
      'SET transaction_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      'CREATE SCHEMA s;',
      "INSERT INTO s.t VALUES ('a",
      'SET x = 1;',
      '\\restrict k3Y',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      "');",
      '\\unrestrict k3Y',
      '',
    ].join('\n')
    const body = dump.slice(dump.indexOf('CREATE SCHEMA'), dump.lastIndexOf('\\unrestrict'))

    const { text: out, standardConformingStrings } = prepareDumpForReplay(dump)

    expect(out).toContain('SET LOCAL statement_timeout = 0;')
    expect(out).not.toContain('transaction_timeout')
    expect(standardConformingStrings).toBe('off')
    expect(out).toContain("set_config('search_path', '', true);\nCREATE SCHEMA")
    expect(out.endsWith(body + '\n')).toBe(true)
  })

  it('rolls back a dump that creates anything outside its own schema', async () => {
    const dump = 'CREATE SCHEMA guard_a;\nCREATE TABLE public.guard_escape (x int);\n'
    const run = t.db.transaction().execute((trx) => replayDump(trx, dump, 'guard_a'))

    await expect(run).rejects.toThrow(/outside guard_a/)
    expect(await relationExists('public.guard_escape')).toBe(false)
  })
  it('rolls back a dump that writes rows outside its own schema', async () => {
    await sql`create table public.guard_rows (x int)`.execute(t.db)
    const dump = 'CREATE SCHEMA guard_b;\nINSERT INTO public.guard_rows VALUES (1);\n'
    const run = t.db.transaction().execute((trx) => replayDump(trx, dump, 'guard_b'))

    await expect(run).rejects.toThrow(/outside guard_b: 1 row writes/)
    const { rows } = await sql<{
      n: number
    }>`select count(*)::int as n from public.guard_rows`.execute(t.db)
    expect(rows[0].n).toBe(0)
    await sql`drop table public.guard_rows`.execute(t.db)
  })
})
