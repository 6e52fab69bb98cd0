import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { migrateTenant } from '../db/migrate.js'
import { referenceSchemaName, withReferenceSchema } from './reference-schema.js'

/** The reference schemas of one check: the full one, and one per applied set seen when behind. */
export type ReferenceSchemas = {
  full: string
  /** appliedKey(applied) → a scratch schema built from exactly those migrations. */
  partial: Map<string, string>
}

/** The key of an applied set among `all` (names outside `all` do not shape the reference). */
export function appliedKey(applied: readonly string[], all: readonly string[]): string {
  const set = new Set(applied)
  return all.filter((name) => set.has(name)).join(',')
}

/**
 * Runs `work` with the full reference schema (withReferenceSchema) and, for each applied set in
 * `behindSets`, a scratch schema holding only those migrations — so a schema behind on a
 * migration that adds a column reads `behind`, not `drift` (issue 11 item 2). A partial
 * reference is built by marking the other migrations applied first, so migrateTenant skips them.
 * Every scratch schema is dropped afterwards, whatever `work` did.
 */
export async function withReferenceSchemas<T>(
  db: Db,
  migrationDirs: readonly string[],
  all: readonly string[],
  behindSets: readonly string[][],
  work: (references: ReferenceSchemas) => Promise<T>,
): Promise<T> {
  return withReferenceSchema(db, migrationDirs, async (full) => {
    const partial = new Map<string, string>()
    try {
      for (const applied of behindSets) {
        const key = appliedKey(applied, all)
        if (partial.has(key)) continue
        const skipped = all.filter((name) => !applied.includes(name))
        partial.set(key, await buildPartialReference(db, migrationDirs, skipped))
      }
      return await work({ full, partial })
    } finally {
      for (const schema of partial.values()) {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
      }
    }
  })
}

async function buildPartialReference(
  db: Db,
  migrationDirs: readonly string[],
  skipped: readonly string[],
): Promise<string> {
  const schema = referenceSchemaName()
  await sql`create schema ${sql.id(schema)}`.execute(db)
  await sql`create table ${sql.id(schema, 'kysely_migration')}
    (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(db)
  for (const name of skipped) {
    await sql`insert into ${sql.id(schema, 'kysely_migration')} values (${name}, 'skipped')`.execute(
      db,
    )
  }
  await migrateTenant(db, schema, migrationDirs)
  return schema
}

/**
 * Runs `work` on one pinned connection holding the session advisory lock of health checks, so
 * one check's dropStaleReferenceSchemas never drops another check's reference schema.
 */
export async function withHealthCheckLock<T>(db: Db, work: (conn: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext('fleetdeck.health_check'))`.execute(conn)
    try {
      return await work(conn)
    } finally {
      await sql`select pg_advisory_unlock(hashtext('fleetdeck.health_check'))`.execute(conn)
    }
  })
}
