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

/** What a one-schema check that would not wait returns while a fleet check holds the lock. */
export const FLEET_CHECK_RUNNING = 'fleet_check_running'

/** What the operator is told then (the tenant page's Check now, a repair's re-check). */
export const FLEET_CHECK_RUNNING_TEXT =
  "A fleet check is running; this schema's result will come with it."

/**
 * Runs `work` on one pinned connection holding the session advisory lock of health checks, so
 * one check's dropStaleReferenceSchemas never drops another check's reference schema. With
 * `wait: false` (a request's one-schema check, review finding 5 of issue 11) it only tries the
 * lock (pg_try_advisory_lock) and returns FLEET_CHECK_RUNNING at once when a fleet check holds
 * it, instead of holding a request connection for the whole fleet check. On PGlite the one
 * session holds every lock, so the try always succeeds there.
 */
export async function withHealthCheckLock<T>(db: Db, work: (conn: Db) => Promise<T>): Promise<T>
export async function withHealthCheckLock<T>(
  db: Db,
  work: (conn: Db) => Promise<T>,
  options: { wait: boolean },
): Promise<T | typeof FLEET_CHECK_RUNNING>
export async function withHealthCheckLock<T>(
  db: Db,
  work: (conn: Db) => Promise<T>,
  options: { wait: boolean } = { wait: true },
): Promise<T | typeof FLEET_CHECK_RUNNING> {
  return db.connection().execute(async (conn) => {
    if (options.wait) await sql`select pg_advisory_lock(${LOCK})`.execute(conn)
    else {
      const { rows } = await sql<{
        got: boolean
      }>`select pg_try_advisory_lock(${LOCK}) as got`.execute(conn)
      if (!rows[0]?.got) return FLEET_CHECK_RUNNING
    }
    try {
      return await work(conn)
    } finally {
      await sql`select pg_advisory_unlock(${LOCK})`.execute(conn)
    }
  })
}

const LOCK = sql`hashtext('fleetdeck.health_check')`
