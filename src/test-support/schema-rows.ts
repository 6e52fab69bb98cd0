import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll } from 'vitest'
import type { Db } from '../db/database.js'
import { insertAttachments, tenantSchemaName } from '../db/tenant-schema.js'

// Backup and restore tests compare a tenant schema's every row before and after (issue 11 item
// 5: "restore is tested to produce the same rows").

/** Every table of `schema` → its rows as text, sorted: equal maps mean the same rows. */
export async function schemaRows(db: Db, schema: string): Promise<Record<string, string[]>> {
  const { rows: tables } = await sql<{ name: string }>`
    select tablename as name from pg_catalog.pg_tables where schemaname = ${schema}
    order by tablename`.execute(db)
  const result: Record<string, string[]> = {}
  for (const { name } of tables) {
    const { rows } = await sql<{ row: string }>`
      select r::text as row from ${sql.table(`${schema}.${name}`)} as r order by 1`.execute(db)
    result[name] = rows.map((r) => r.row)
  }
  return result
}

/** The rows of `slug`'s tenant schema (schemaRows of tenant_<slug>). */
export function tenantRows(db: Db, slug: string) {
  return schemaRows(db, tenantSchemaName(slug))
}

/**
 * Adds `count` attachments with awkward names (quotes, backslashes, newlines, non-ASCII, a
 * null size), more than one 500-row INSERT of the dump holds.
 */
export async function addAwkwardRows(db: Db, slug: string, count = 1_201): Promise<void> {
  const names = ["it's", 'back\\slash', 'new\nline', 'Zürich – 東京', '$$dollar$$', 'semi;colon']
  await insertAttachments(
    db,
    slug,
    Array.from({ length: count }, (_, i) => ({
      fileName: `${names[i % names.length]} ${i}`,
      contentType: 'text/plain',
      fileSize: i % 7 === 0 ? (null as unknown as number) : i * 1_000,
    })),
  )
}

/** A fresh empty directory under the OS temp dir for a test file's BACKUP_DIR, removed after it. */
export function tempBackupDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-backups-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
