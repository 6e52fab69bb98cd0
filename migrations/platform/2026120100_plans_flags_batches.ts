import { sql, type Kysely } from 'kysely'

// Issue 9: plans become editable (yearly price, currency, storage in bytes, API calls per day,
// public/archived), feature flags with per-plan values, per-tenant overrides and a percentage
// rollout, recorded API usage, and bulk changes as batches that can be rolled back. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table plans
    add column price_cents_yearly integer not null default 0,
    add column currency text not null default 'usd',
    add column max_storage_bytes bigint,
    add column max_api_calls_per_day bigint,
    add column is_public boolean not null default true,
    add column archived_at timestamptz,
    add column created_at timestamptz not null default now(),
    add column updated_at timestamptz not null default now()`.execute(db)
  await sql`update plans set max_storage_bytes = max_storage_mb::bigint * 1048576`.execute(db)
  await sql`update plans set price_cents_yearly = price_cents_monthly * 10`.execute(db)
  await sql`update plans set max_api_calls_per_day = case id
    when 'free' then 1000 when 'professional' then 100000 else null end`.execute(db)
  await sql`alter table plans drop column max_storage_mb`.execute(db)
  await sql`alter table plans alter column max_custom_domains drop not null`.execute(db)
  await sql`alter table plans alter column max_custom_domains drop default`.execute(db)
  await sql`alter table plans
    add constraint plans_id_format check (id ~ '^[a-z][a-z0-9-]{1,30}$'),
    add constraint plans_currency_format check (currency ~ '^[a-z]{3}$'),
    add constraint plans_prices_not_negative check (price_cents_monthly >= 0 and price_cents_yearly >= 0),
    add constraint plans_quotas_not_negative check (
      coalesce(max_members, 0) >= 0 and coalesce(max_storage_bytes, 0) >= 0
      and coalesce(max_custom_domains, 0) >= 0 and coalesce(max_api_calls_per_day, 0) >= 0)`.execute(
    db,
  )

  await db.schema
    .createTable('feature_flags')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('key', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`key ~ '^[a-z][a-z0-9-]{1,62}$'`),
    )
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('boolean', 'string')`))
    // The allowed values of a string flag; empty for a boolean one.
    .addColumn('variants', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // Values are JSON: true/false for a boolean flag, one of `variants` for a string flag.
    .addColumn('default_value', 'jsonb', (c) => c.notNull())
    .addColumn('rollout_percentage', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`rollout_percentage between 0 and 100`),
    )
    .addColumn('rollout_value', 'jsonb')
    // Plans the rollout draws from; empty = every plan.
    .addColumn('rollout_plan_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('archived_at', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'feature_flags_rollout_has_value',
      sql`rollout_percentage = 0 or rollout_value is not null`,
    )
    .execute()

  await db.schema
    .createTable('feature_flag_plan_values')
    .addColumn('flag_id', 'uuid', (c) =>
      c.notNull().references('feature_flags.id').onDelete('cascade'),
    )
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id').onDelete('cascade'))
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('feature_flag_plan_values_pk', ['flag_id', 'plan_id'])
    .execute()

  await db.schema
    .createTable('feature_flag_overrides')
    .addColumn('flag_id', 'uuid', (c) =>
      c.notNull().references('feature_flags.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('feature_flag_overrides_pk', ['flag_id', 'tenant_id'])
    .execute()
  await db.schema
    .createIndex('feature_flag_overrides_by_tenant')
    .on('feature_flag_overrides')
    .column('tenant_id')
    .execute()

  // API calls a tenant app reports per tenant and UTC day (the plan's max_api_calls_per_day).
  await db.schema
    .createTable('tenant_api_usage')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('calls', 'bigint', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`calls >= 0`),
    )
    .addPrimaryKeyConstraint('tenant_api_usage_pk', ['tenant_id', 'day'])
    .execute()

  await db.schema
    .createTable('bulk_batches')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('plan_change', 'flag_override', 'suspend', 'activate')`),
    )
    // What the change sets: {planId} | {flagKey, value} | {}.
    .addColumn('params', 'jsonb', (c) => c.notNull())
    // The tenants-list filter the batch was chosen by, as the operator saw it.
    .addColumn('filter', 'jsonb', (c) => c.notNull())
    .addColumn('previewed_count', 'integer', (c) => c.notNull())
    .addColumn('accepted_drift', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('matched_count', 'integer')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(sql`status in ('applying', 'applied', 'failed', 'rolling_back', 'rolled_back')`),
    )
    .addColumn('created_by', 'uuid', (c) => c.notNull().references('super_admins.id'))
    .addColumn('created_by_email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz')
    .addColumn('rolled_back_at', 'timestamptz')
    .addColumn('rolled_back_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('error', 'text')
    .execute()
  await db.schema
    .createIndex('bulk_batches_newest')
    .on('bulk_batches')
    .column('created_at desc')
    .execute()

  await db.schema
    .createTable('bulk_batch_items')
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('bulk_batches.id'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('outcome', 'text', (c) =>
      c.notNull().check(sql`outcome in ('pending', 'applied', 'unchanged', 'skipped', 'failed')`),
    )
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('note', 'text')
    .addColumn('rollback_outcome', 'text', (c) =>
      c.check(sql`rollback_outcome in ('restored', 'skipped', 'failed')`),
    )
    .addColumn('rollback_note', 'text')
    .addPrimaryKeyConstraint('bulk_batch_items_pk', ['batch_id', 'tenant_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bulk_batch_items').execute()
  await db.schema.dropTable('bulk_batches').execute()
  await db.schema.dropTable('tenant_api_usage').execute()
  await db.schema.dropTable('feature_flag_overrides').execute()
  await db.schema.dropTable('feature_flag_plan_values').execute()
  await db.schema.dropTable('feature_flags').execute()
  await sql`alter table plans
    drop constraint plans_id_format, drop constraint plans_currency_format,
    drop constraint plans_prices_not_negative, drop constraint plans_quotas_not_negative,
    add column max_storage_mb integer`.execute(db)
  await sql`update plans set max_storage_mb = (max_storage_bytes / 1048576)::integer`.execute(db)
  await sql`update plans set max_custom_domains = coalesce(max_custom_domains, 0)`.execute(db)
  await sql`alter table plans alter column max_custom_domains set not null,
    alter column max_custom_domains set default 0,
    drop column max_storage_bytes, drop column price_cents_yearly, drop column currency,
    drop column max_api_calls_per_day, drop column is_public, drop column archived_at,
    drop column created_at, drop column updated_at`.execute(db)
}
