import { sql, type Kysely } from 'kysely'

// Issue 8 items 2 and 3: impersonation sessions (seeds 001, 002, 004) and the app keys tenant
// apps present to the kit API (/kit/v1). Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('impersonations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('operator_id', 'uuid', (c) => c.notNull().references('super_admins.id'))
    .addColumn('operator_email', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('app_key_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`char_length(reason) >= 10`))
    .addColumn('ticket', 'text')
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('read_only', 'read_write')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('ended_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('end_reason', 'text', (c) =>
      c.check(sql`end_reason in ('ended', 'expired', 'ended_in_app', 'tenant_unavailable')`),
    )
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('handoff_jti', 'text')
    .addColumn('handoff_used_at', 'timestamptz')
    // A hard maximum of 60 minutes (issue 8 item 2), held by the database as well as the form.
    .addCheckConstraint(
      'impersonations_at_most_an_hour',
      sql`expires_at > started_at and expires_at <= started_at + interval '60 minutes'`,
    )
    .addCheckConstraint(
      'impersonations_end_has_reason',
      sql`(ended_at is null) = (end_reason is null)`,
    )
    .execute()
  // One open impersonation per operator: a second start must end the first (race closed here).
  await sql`create unique index impersonations_one_open_per_operator on impersonations (operator_id) where ended_at is null`.execute(
    db,
  )
  await sql`create unique index impersonations_handoff_jti on impersonations (handoff_jti) where handoff_jti is not null`.execute(
    db,
  )
  await sql`create index impersonations_started_idx on impersonations (started_at desc)`.execute(db)
  await sql`create index impersonations_tenant_idx on impersonations (tenant_id, started_at desc)`.execute(
    db,
  )
  await sql`create index impersonations_open_expiry_idx on impersonations (expires_at) where ended_at is null`.execute(
    db,
  )

  await db.schema
    .createTable('app_keys')
    // The public half of the bearer token `fdk_<id>.<secret>`: finds the row.
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^[a-z2-7]{32}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    // The tenant app's origin: the handoff's `aud` and where "View as" sends the operator.
    .addColumn('app_url', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (c) => c.references('super_admins.id'))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('app_keys').execute()
  await db.schema.dropTable('impersonations').execute()
}
