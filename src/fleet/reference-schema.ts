import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { migrateTenant } from '../db/migrate.js'

/** Scratch schemas are named so: never `tenant_*`, so no fleet query mistakes one for a tenant. */
export const REFERENCE_SCHEMA_PREFIX = 'fleetdeck_reference_'

/**
 * Builds the reference tenant schema — every tenant migration (`migrations/tenant` and
 * `migrationDirs`, TENANT_MIGRATION_DIRS) applied to an empty scratch schema
 * `fleetdeck_reference_<random>` — runs `work` with its name, and drops it afterwards, whatever
 * `work` did (issue 11 item 2: drift is measured against what the migrations build, not against
 * a hand-kept description). Runs on `db`; use a dedicated connection when `work` reads the whole
 * catalog.
 * @throws the failing migration's error (the scratch schema is dropped then too)
 */
export async function withReferenceSchema<T>(
  db: Db,
  migrationDirs: readonly string[],
  work: (schema: string) => Promise<T>,
): Promise<T> {
  const schema = REFERENCE_SCHEMA_PREFIX + randomBytes(6).toString('hex')
  await sql`create schema ${sql.id(schema)}`.execute(db)
  try {
    await migrateTenant(db, schema, migrationDirs)
    return await work(schema)
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
  }
}

/**
 * Drops scratch reference schemas left by a process that died while it held one. Safe at any
 * time a check is not running on another instance; the health check calls it first.
 * @returns the names dropped
 */
export async function dropStaleReferenceSchemas(db: Db): Promise<string[]> {
  const { rows } = await sql<{ nspname: string }>`
    select nspname from pg_namespace where starts_with(nspname, ${REFERENCE_SCHEMA_PREFIX})`.execute(
    db,
  )
  for (const { nspname } of rows) {
    await sql`drop schema if exists ${sql.id(nspname)} cascade`.execute(db)
  }
  return rows.map((r) => r.nspname)
}
