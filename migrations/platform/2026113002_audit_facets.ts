import { sql, type Kysely } from 'kysely'

// Issue 6 item 20: the audit page's filter lists (actions, actors) from a small table instead of
// `select distinct` over the whole log, which took seconds at 500k rows. The log itself is
// append-only (a trigger refuses updates), so the facets live beside it; the audit writer keeps
// them in the same transaction as each entry. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_facets')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('action', 'actor')`))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_facets_pkey', ['kind', 'value'])
    .execute()
  // Backfill from the log as it is: one pass, and each actor labelled with its latest email.
  await sql`
    insert into audit_facets (kind, value, label)
    select 'action', action, action from audit_log group by action
    union all
    select 'actor', actor_id::text, coalesce(actor_email, actor_id::text) from (
      select distinct on (actor_id) actor_id, actor_email from audit_log
      where actor_id is not null order by actor_id, seq desc
    ) latest`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_facets').execute()
}
