import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { testConfig } from './test-app.js'
import type { Config } from '../config.js'

// A TENANT_MIGRATION_DIRS folder written by a test: a developer adding a tenant migration.

/** `up` of a migration that adds a column and an index to the tenant's `attachments`. */
export const ADD_COLUMN_AND_INDEX = `export async function up(db) {
  await db.schema.alterTable('attachments').addColumn('checksum', 'text').execute()
  await db.schema.createIndex('attachments_checksum_idx').on('attachments').column('checksum').execute()
}
`

/**
 * Writes `files` (migration name → module source) into a new temporary folder and returns it
 * with a config that lists it in TENANT_MIGRATION_DIRS; `remove()` deletes the folder.
 */
export function tenantMigrationFolder(files: Record<string, string>): {
  dir: string
  config: Config
  remove: () => void
} {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-tenant-migrations-'))
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, `${name}.js`), source)
  return {
    dir,
    config: testConfig({ TENANT_MIGRATION_DIRS: dir }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Names in `tenant_<slug>`'s kysely_migration, in order. */
export async function appliedIn(db: Db, schema: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select name from ${sql.table(`${schema}.kysely_migration`)} order by name`.execute(db)
  return rows.map((r) => r.name)
}

/**
 * The catalog of every `tenant_*` schema — relations, columns, indexes — and the rows of every
 * kysely_migration, as one comparable text: equal before and after means nothing changed.
 */
export async function catalogSnapshot(db: Db): Promise<string> {
  const { rows } = await sql<{ line: string }>`
    select n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' ||
      coalesce((select string_agg(a.attname || ':' || a.atttypid::regtype::text || ':' ||
        a.attnotnull::text, ',' order by a.attnum) from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '') || ' ' ||
      coalesce((select string_agg(i.indexrelid::regclass::text, ',' order by 1)
        from pg_index i where i.indrelid = c.oid), '') as line
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where starts_with(n.nspname, 'tenant_') order by 1`.execute(db)
  const lines = rows.map((r) => r.line)
  for (const line of lines.filter((l) => / r /.test(l) && l.includes('.kysely_migration '))) {
    const schema = line.split('.')[0]
    lines.push(`${schema}: ${(await appliedIn(db, schema)).join(',')}`)
  }
  return lines.join('\n')
}
