import { sql, type Kysely } from 'kysely'

// Issue 10: the dashboard's daily KPI snapshots and the health panel's samples. Frozen in time.
//
// kpi_daily: one row per day for the whole fleet (tenant_id null) and one per day per tenant,
// each a JSON object of named counters, so a new KPI needs no migration. NULLS NOT DISTINCT makes
// the fleet row unique per day too (PostgreSQL 15+, which Fleetdeck requires).
//
// health_samples: one row per sample, its metrics as a JSON object of name → number (null when
// the metric could not be read). 10-second rows are kept an hour, then folded into 5-minute rows
// (resolution_seconds 300), which are kept seven days.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kpi_daily')
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('kpis', 'jsonb', (c) => c.notNull())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`alter table kpi_daily
    add constraint kpi_daily_day_tenant_key unique nulls not distinct (day, tenant_id)`.execute(db)
  await sql`create index kpi_daily_tenant_day_idx on kpi_daily (tenant_id, day)`.execute(db)

  await db.schema
    .createTable('health_samples')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolution_seconds', 'integer', (c) =>
      c.notNull().check(sql`resolution_seconds > 0`),
    )
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('metrics', 'jsonb', (c) => c.notNull())
    .execute()
  await sql`create index health_samples_resolution_taken_idx
    on health_samples (resolution_seconds, taken_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('health_samples').execute()
  await db.schema.dropTable('kpi_daily').execute()
}
