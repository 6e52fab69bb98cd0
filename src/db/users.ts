import { sql } from 'kysely'
import type { Db } from './database.js'

// Tenant users: one global identity per email (`public.users`, DESIGN.md §2), never operators.

export type UserStatus = 'invited' | 'active' | 'disabled'

export type NewUser = {
  id: string
  email: string
  name: string
  status: UserStatus
  createdAt: Date
  lastLoginAt?: Date | null
}

/** A user's id, email and name. */
export type UserRef = { id: string; email: string; name: string }

/**
 * The id of the global user with this email (case-insensitive, as the unique index on
 * lower(email)), inserting an active user when there is none.
 * Two concurrent calls for a new email: the loser's insert fails on the unique index and throws;
 * callers run it in a step that is retried.
 */
export async function upsertUser(db: Db, email: string, name: string, now = new Date()) {
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst()
  if (existing) return existing.id
  const row = await db
    .insertInto('users')
    .values({ id: crypto.randomUUID(), email, name, status: 'active', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/**
 * Inserts the users whose email (case-insensitive) is not taken yet, in one statement; the
 * others are left alone.
 * @returns how many rows were inserted
 */
export async function insertMissingUsers(db: Db, users: NewUser[]): Promise<number> {
  if (users.length === 0) return 0
  const result = await db
    .insertInto('users')
    .values(
      users.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        status: u.status,
        created_at: u.createdAt,
        last_login_at: u.lastLoginAt ?? null,
      })),
    )
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0)
}

/** The users with these emails (case-insensitive), in no particular order. */
export async function findUsersByEmails(db: Db, emails: string[]): Promise<UserRef[]> {
  if (emails.length === 0) return []
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where(
      sql<string>`lower(email)`,
      'in',
      emails.map((e) => e.toLowerCase()),
    )
    .execute()
}

/**
 * Bulk form of insertMissingUsers for loads of thousands of rows per call (the demo fleet):
 * one statement of six array parameters through unnest, so no bind-parameter limit. Users whose
 * email (case-insensitive) is taken are left alone.
 * @returns the users inserted now (the others are not returned: look them up by email)
 */
export async function insertUsersInBulk(db: Db, users: NewUser[]): Promise<UserRef[]> {
  if (users.length === 0) return []
  const { rows } = await sql<UserRef>`
    insert into users (id, email, name, status, created_at, last_login_at)
    select * from unnest(
      ${users.map((u) => u.id)}::uuid[],
      ${users.map((u) => u.email)}::text[],
      ${users.map((u) => u.name)}::text[],
      ${users.map((u) => u.status)}::text[],
      ${users.map((u) => u.createdAt)}::timestamptz[],
      ${users.map((u) => u.lastLoginAt ?? null)}::timestamptz[])
    on conflict (lower(email)) do nothing
    returning id, email, name`.execute(db)
  return rows
}

/**
 * Moves each user's `last_login_at` to `greatest(last_login_at, at)`, in one statement: the
 * bulk form of what recordUserSignIn does for one success.
 */
export async function advanceLastLogins(
  db: Db,
  logins: { userId: string; at: Date }[],
): Promise<void> {
  if (logins.length === 0) return
  await sql`
    update users u set last_login_at = greatest(u.last_login_at, v.at)
    from unnest(${logins.map((l) => l.userId)}::uuid[], ${logins.map((l) => l.at)}::timestamptz[])
      as v(id, at)
    where u.id = v.id`.execute(db)
}

/**
 * Settings for the current transaction of a bulk load into users: new rows wait in the GIN
 * indexes' pending lists (the directory's trigram indexes, migration 2026113010) up to 256 MB and
 * are merged in bulk with 128 MB of work memory, instead of a merge every 4 MB. Measured on
 * 200,000 users: 76 s → 48 s. Must run inside the transaction (SET LOCAL); finish the load with
 * vacuumPeopleTables.
 */
export async function settingsForBulkLoad(trx: Db): Promise<void> {
  if (!trx.isTransaction) throw new Error('settingsForBulkLoad must run inside a transaction')
  await sql`set local gin_pending_list_limit = '256MB'`.execute(trx)
  await sql`set local work_mem = '128MB'`.execute(trx)
}

/**
 * VACUUM ANALYZE of users, memberships and user_sign_ins after a bulk load: merges what waits in
 * the GIN pending lists (a search scans them row by row), marks the pages all-visible (index-only
 * scans) and refreshes the planner's statistics (autovacuum may be late, or off). Not inside a
 * transaction.
 */
export async function vacuumPeopleTables(db: Db): Promise<void> {
  await sql`vacuum analyze users, memberships, user_sign_ins`.execute(db)
}
