import { sql, type Kysely } from 'kysely'

// Issue 7 item 3 (seed 000 "Join Requests"): people asking to join a tenant, decided by an
// operator or at once by the tenant's auto-join email domains. A request names an email (and the
// user once one exists); approval grants `role`. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('join_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    // The name the requester gave; a new user is created with it on approval.
    .addColumn('name', 'text')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'approved', 'denied')`),
    )
    .addColumn('role', 'text', (c) => c.check(sql`role in ('owner', 'admin', 'member')`))
    // Null for a decision nobody made by hand (an auto-join domain).
    .addColumn('decided_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint(
      'join_requests_decision_check',
      sql`(status = 'pending') = (decided_at is null) and (status <> 'approved' or role is not null)`,
    )
    .execute()
  // The list: pending first, then newest, for all tenants or one (the scope and the filter).
  await sql`create index join_requests_list_idx on join_requests ((status <> 'pending'), created_at desc, id desc)`.execute(
    db,
  )
  await sql`create index join_requests_tenant_idx on join_requests (tenant_id, (status <> 'pending'), created_at desc, id desc)`.execute(
    db,
  )
  await sql`create index join_requests_status_idx on join_requests (status, created_at desc, id desc)`.execute(
    db,
  )
  // One open request per person and tenant; it also serves the sidebar's pending count.
  await sql`create unique index join_requests_pending_key on join_requests (tenant_id, lower(email)) where status = 'pending'`.execute(
    db,
  )
  await sql`create index join_requests_user_idx on join_requests (user_id) where user_id is not null`.execute(
    db,
  )

  await db.schema
    .createTable('tenant_auto_join_domains')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('domain', 'text', (c) => c.notNull().check(sql`domain = lower(domain)`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id'))
    .addPrimaryKeyConstraint('tenant_auto_join_domains_pkey', ['tenant_id', 'domain'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tenant_auto_join_domains').execute()
  await db.schema.dropTable('join_requests').execute()
}
