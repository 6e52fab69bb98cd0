import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { migrateTenant } from '../db/migrate.js'

/** Scratch schemas are named so: never `tenant_*`, so no fleet query mistakes one for a tenant. */
export const REFERENCE_SCHEMA_PREFIX = 'fleetdeck_reference_'

/** A scratch schema older than this was left by a process that died (no build takes an hour). */
export const STALE_REFERENCE_MS = 60 * 60_000

/**
 * A new scratch schema's name: the prefix, its creation time (seconds since the epoch, base 36)
 * and a random part, so a cleanup can tell a schema another process is using right now from one
 * a dead process left behind.
 */
export function referenceSchemaName(now: Date = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000).toString(36)
  return `${REFERENCE_SCHEMA_PREFIX}${seconds}_${randomBytes(6).toString('hex')}`
}

/** The creation time encoded in a scratch schema's name, or undefined for a name of another shape. */
function createdAtOf(schema: string): number | undefined {
  const match = /^fleetdeck_reference_([0-9a-z]+)_[0-9a-f]{12}$/.exec(schema)
  return match ? parseInt(match[1], 36) * 1000 : undefined
}

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
  const schema = referenceSchemaName()
  await sql`create schema ${sql.id(schema)}`.execute(db)
  try {
    await migrateTenant(db, schema, migrationDirs)
    return await work(schema)
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
  }
}

/**
 * Drops scratch reference schemas left by a process that died while it held one: those created
 * more than STALE_REFERENCE_MS before `now` (or named in an older shape). A schema a repair or a
 * dry-run on another instance is using right now is younger, and stays. The health check calls
 * it first.
 * @returns the names dropped
 */
export async function dropStaleReferenceSchemas(db: Db, now: Date = new Date()): Promise<string[]> {
  const { rows } = await sql<{ nspname: string }>`
    select nspname from pg_namespace where starts_with(nspname, ${REFERENCE_SCHEMA_PREFIX})`.execute(
    db,
  )
  const stale = rows
    .map((r) => r.nspname)
    .filter((name) => (createdAtOf(name) ?? 0) < now.getTime() - STALE_REFERENCE_MS)
  for (const name of stale) {
    await sql`drop schema if exists ${sql.id(name)} cascade`.execute(db)
  }
  return stale
}
