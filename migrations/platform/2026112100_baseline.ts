import { sql, type Kysely } from 'kysely'

// Frozen in time: never import app code here (DESIGN.md §4).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db)

  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('price_cents_monthly', 'integer', (c) => c.notNull())
    .addColumn('max_members', 'integer')
    .addColumn('max_storage_mb', 'integer')
    .addColumn('max_custom_domains', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .execute()
  await db
    .insertInto('plans')
    .values([
      {
        id: 'free',
        name: 'Free',
        price_cents_monthly: 0,
        max_members: 5,
        max_storage_mb: 1024,
        max_custom_domains: 0,
        sort_order: 1,
      },
      {
        id: 'professional',
        name: 'Professional',
        price_cents_monthly: 4900,
        max_members: 50,
        max_storage_mb: 51200,
        max_custom_domains: 1,
        sort_order: 2,
      },
      {
        id: 'enterprise',
        name: 'Enterprise',
        price_cents_monthly: 49900,
        max_members: null,
        max_storage_mb: 1048576,
        max_custom_domains: 10,
        sort_order: 3,
      },
    ])
    .execute()

  await db.schema
    .createTable('super_admins')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('owner', 'admin', 'operator', 'support', 'viewer')`),
    )
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('password_hash', 'text')
    .addColumn('totp_secret_encrypted', 'text')
    .addColumn('totp_last_step', 'bigint')
    .addColumn('mfa_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('ip_allowlist', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create unique index super_admins_email_key on super_admins (lower(email))`.execute(db)

  await db.schema
    .createTable('super_admin_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('super_admin_id', 'uuid', (c) =>
      c.notNull().references('super_admins.id').onDelete('cascade'),
    )
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('two_factor_verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_active_at', 'timestamptz', (c) => c.notNull())
    .addColumn('totp_verified_at', 'timestamptz')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute()
  await db.schema
    .createIndex('super_admin_sessions_admin_idx')
    .on('super_admin_sessions')
    .column('super_admin_id')
    .execute()

  await db.schema
    .createTable('enrolment_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('setup', 'enrolment')`))
    .addColumn('super_admin_id', 'uuid', (c) => c.references('super_admins.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute()

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(sql`status in ('provisioning', 'active', 'suspended', 'failed', 'deleted')`),
    )
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('billing_email', 'text', (c) => c.notNull())
    .addColumn('first_admin_email', 'text', (c) => c.notNull())
    .addColumn('first_admin_name', 'text', (c) => c.notNull())
    .addColumn('provisioning_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('suspended_at', 'timestamptz')
    .addColumn('plan_changed_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('last_activity_at', 'timestamptz')
    .execute()
  await sql`create index tenants_created_idx on tenants (created_at desc, id)`.execute(db)
  await sql`create index tenants_status_idx on tenants (status, created_at desc)`.execute(db)
  await sql`create index tenants_search_idx on tenants using gin ((slug || ' ' || lower(name)) gin_trgm_ops)`.execute(
    db,
  )

  await db.schema
    .createTable('tenant_provisioning_steps')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'running', 'done', 'failed')`),
    )
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addPrimaryKeyConstraint('tenant_provisioning_steps_pkey', ['tenant_id', 'step'])
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('active')
        .check(sql`status in ('invited', 'active', 'disabled')`),
    )
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create unique index users_email_key on users (lower(email))`.execute(db)

  await db.schema
    .createTable('memberships')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'admin', 'member')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pkey', ['tenant_id', 'user_id'])
    .execute()
  await db.schema.createIndex('memberships_user_idx').on('memberships').column('user_id').execute()

  await db.schema
    .createTable('storage_snapshots')
    .addColumn('tenant_id', 'uuid', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('db_bytes', 'bigint', (c) => c.notNull())
    .addColumn('file_bytes', 'bigint', (c) => c.notNull())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull())
    .execute()

  await createAuditLog(db)
}

async function createAuditLog(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_id', 'uuid')
    .addColumn('actor_email', 'text')
    .addColumn('impersonated_user_id', 'uuid')
    .addColumn('impersonated_tenant_id', 'uuid')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('tenant_id', 'uuid')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('request_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('batch_id', 'uuid')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute()
  await sql`create index audit_log_tenant_idx on audit_log (tenant_id, seq desc)`.execute(db)
  await sql`create index audit_log_action_idx on audit_log (action, seq desc)`.execute(db)
  await sql`create index audit_log_actor_idx on audit_log (actor_id, seq desc)`.execute(db)
  await sql`create index audit_log_created_idx on audit_log (created_at)`.execute(db)

  // Append-only, enforced by the database itself: the console has no code path that could
  // rewrite history, and neither does anyone holding the app's connection (DESIGN.md §7).
  await sql`
    create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db)
  await sql`create trigger audit_log_no_update_delete before update or delete on audit_log
    for each row execute function audit_log_refuse_change()`.execute(db)
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_refuse_change()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'audit_log',
    'storage_snapshots',
    'memberships',
    'users',
    'tenant_provisioning_steps',
    'tenants',
    'enrolment_tokens',
    'super_admin_sessions',
    'super_admins',
    'plans',
  ]) {
    await db.schema.dropTable(table).execute()
  }
  await sql`drop function if exists audit_log_refuse_change()`.execute(db)
}
