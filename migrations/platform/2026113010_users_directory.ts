import { sql, type Kysely } from 'kysely'

// Issue 7 items 1 and 2: the users directory at 1,000,000 users and 2,000 tenants. Search is a
// case-insensitive substring (ILIKE '%…%'), which only trigram indexes serve (pg_trgm is loaded by
// the baseline); the list pages by keyset on (created_at, id), and each filter the page offers has
// an index to start from. The user page lists the audit entries whose target is that user.
// Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index users_email_trgm_idx on users using gin (email gin_trgm_ops)`.execute(db)
  await sql`create index users_name_trgm_idx on users using gin (name gin_trgm_ops)`.execute(db)
  // Newest first, ties by id: the directory's order and its keyset cursor.
  await sql`create index users_created_idx on users (created_at, id)`.execute(db)
  await sql`create index users_status_idx on users (status, created_at, id)`.execute(db)
  await sql`create index users_last_login_idx on users (last_login_at)`.execute(db)
  // "Has a membership with role R": owners and admins are few among a million members.
  await sql`create index memberships_role_user_idx on memberships (role, user_id)`.execute(db)
  await sql`create index audit_log_target_idx on audit_log (target_type, target_id, seq desc)`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'audit_log_target_idx',
    'memberships_role_user_idx',
    'users_last_login_idx',
    'users_status_idx',
    'users_created_idx',
    'users_name_trgm_idx',
    'users_email_trgm_idx',
  ]) {
    await sql`drop index if exists ${sql.id(index)}`.execute(db)
  }
}
