import { sql, type Kysely } from 'kysely'

// The example tenant app's own tables, applied by Fleetdeck in every tenant schema when
// TENANT_MIGRATION_DIRS names this folder. Like migrations/tenant/*, it runs on
// `db.withSchema(<tenant schema>)`, so only the schema builder is used (raw SQL would not be
// schema-qualified), and it imports nothing of the app. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('credentials')
    .addColumn('email', 'text', (c) => c.primaryKey())
    // argon2id (PHC string) from @node-rs/argon2.
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('notes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notes').execute()
  await db.schema.dropTable('credentials').execute()
}
