import { sql, type Kysely } from 'kysely'

// Issue 7 item 6: tenant users' sign-in history, written by the tenant side (the kit) and, until
// then, by the demo fleet. Kept 180 days (housekeeping prunes by `at`); `users.last_login_at`
// follows the newest success. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_sign_ins')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('outcome', 'text', (c) =>
      c.notNull().check(sql`outcome in ('succeeded', 'failed', 'refused')`),
    )
    // Why a failure or refusal happened ('wrong password', 'user disabled', 'tenant suspended').
    .addColumn('detail', 'text')
    .execute()
  // The user page's history (newest first, keyset on (at, id)) and the retention prune.
  await sql`create index user_sign_ins_user_idx on user_sign_ins (user_id, at desc, id desc)`.execute(
    db,
  )
  await db.schema.createIndex('user_sign_ins_at_idx').on('user_sign_ins').column('at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_sign_ins').execute()
}
