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
