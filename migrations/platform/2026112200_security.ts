import { sql, type Kysely } from 'kysely'

// Issue #3: lockout counters, sign-in history, per-address rate limits, cluster settings
// (global IP allowlist), invitations' development outbox. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('super_admins')
    .addColumn('failed_password_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_totp_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('totp_replay_at', 'timestamptz')
    .addColumn('totp_replay_ip', 'text')
    .execute()

  await db.schema
    .createTable('sign_in_attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('super_admin_id', 'uuid', (c) => c.references('super_admins.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute()
  await sql`create index sign_in_attempts_admin_idx on sign_in_attempts (super_admin_id, at desc)`.execute(
    db,
  )

  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limits_pkey', ['key', 'window_start'])
    .execute()

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'uuid', (c) => c.references('super_admins.id'))
    .execute()

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute()

  await sql`alter table enrolment_tokens drop constraint enrolment_tokens_purpose_check`.execute(db)
  await sql`alter table enrolment_tokens add constraint enrolment_tokens_purpose_check
    check (purpose in ('setup', 'enrolment', 'invitation'))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from enrolment_tokens where purpose = 'invitation'`.execute(db)
  await sql`alter table enrolment_tokens drop constraint enrolment_tokens_purpose_check`.execute(db)
  await sql`alter table enrolment_tokens add constraint enrolment_tokens_purpose_check
    check (purpose in ('setup', 'enrolment'))`.execute(db)
  for (const table of ['mail_outbox', 'settings', 'rate_limits', 'sign_in_attempts']) {
    await db.schema.dropTable(table).execute()
  }
  await db.schema
    .alterTable('super_admins')
    .dropColumn('failed_password_count')
    .dropColumn('failed_totp_count')
    .dropColumn('locked_until')
    .dropColumn('totp_replay_at')
    .dropColumn('totp_replay_ip')
    .execute()
}
