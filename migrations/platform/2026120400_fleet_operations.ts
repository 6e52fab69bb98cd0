import { sql, type Kysely } from 'kysely'

// Issue 11: fleet operations. Frozen in time.
//
// job_runs / job_items: long work as a job (DESIGN.md §8) — a run row plus one item per tenant
// (or one item for fleet-wide work), claimed with FOR UPDATE SKIP LOCKED under a lease that
// expires, so an item held by a process that died is claimed again.
//
// fleet_checks / fleet_check_results: one row per health check of every tenant schema, with the
// time it took, and one result per tenant (or orphan schema) it found anything about.
// tenants.health / health_checked_at: the latest result, for the tenants table's column and
// filter without a join.
//
// tenant_backups: per-tenant logical dumps on disk (compressed, encrypted, checksummed).
//
// tenants.purge_after / protected: deletion with a grace period, and tenants that cannot be
// deleted at all until unprotected.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('running', 'paused', 'canceled', 'completed', 'failed')`),
    )
    .addColumn('concurrency', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`concurrency between 1 and 8`),
    )
    .addColumn('stop_after_failures', 'integer', (c) => c.check(sql`stop_after_failures > 0`))
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('created_by_email', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('stop_reason', 'text')
    .execute()
  await sql`create index job_runs_status_created_idx on job_runs (status, created_at desc)`.execute(
    db,
  )
  await sql`create index job_runs_created_idx on job_runs (created_at desc)`.execute(db)

  await db.schema
    .createTable('job_items')
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('job_runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('set null'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'running', 'done', 'failed', 'skipped', 'canceled')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('result', 'jsonb')
    .addPrimaryKeyConstraint('job_items_pkey', ['run_id', 'seq'])
    .execute()
  await sql`create index job_items_run_status_idx on job_items (run_id, status, seq)`.execute(db)
  await sql`create index job_items_lease_idx on job_items (lease_expires_at)
    where status = 'running'`.execute(db)
  await sql`create index job_items_tenant_idx on job_items (tenant_id)`.execute(db)

  await db.schema
    .createTable('fleet_checks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('run_id', 'uuid', (c) => c.references('job_runs.id').onDelete('set null'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .execute()
  await sql`create index fleet_checks_finished_idx on fleet_checks (finished_at desc)`.execute(db)

  await db.schema
    .createTable('fleet_check_results')
    .addColumn('check_id', 'uuid', (c) =>
      c.notNull().references('fleet_checks.id').onDelete('cascade'),
    )
    .addColumn('schema_name', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('set null'))
    .addColumn('health', 'text', (c) => c.notNull())
    .addColumn('pending', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('findings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addPrimaryKeyConstraint('fleet_check_results_pkey', ['check_id', 'schema_name'])
    .execute()
  await sql`create index fleet_check_results_tenant_idx
    on fleet_check_results (tenant_id, check_id)`.execute(db)

  await db.schema
    .createTable('tenant_backups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('schema_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('migrations', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('run_id', 'uuid', (c) => c.references('job_runs.id').onDelete('set null'))
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute()
  await sql`create index tenant_backups_tenant_created_idx
    on tenant_backups (tenant_id, created_at desc)`.execute(db)

  await db.schema
    .alterTable('tenants')
    .addColumn('health', 'text')
    .addColumn('health_checked_at', 'timestamptz')
    .addColumn('purge_after', 'timestamptz')
    .addColumn('protected', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await sql`create index tenants_health_idx on tenants (health) where health is not null`.execute(
    db,
  )
  await sql`create index tenants_purge_after_idx on tenants (purge_after)
    where status = 'deleted' and purge_after is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .dropColumn('health')
    .dropColumn('health_checked_at')
    .dropColumn('purge_after')
    .dropColumn('protected')
    .execute()
  await db.schema.dropTable('tenant_backups').execute()
  await db.schema.dropTable('fleet_check_results').execute()
  await db.schema.dropTable('fleet_checks').execute()
  await db.schema.dropTable('job_items').execute()
  await db.schema.dropTable('job_runs').execute()
}
