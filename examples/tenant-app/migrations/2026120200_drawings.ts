import { sql, type Kysely } from 'kysely'

// Drawings (issue 9 item 5): the page behind the `drawings-beta` flag keeps its list here, in the
// tenant's own schema. Schema builder only (see 2026120100_notes_board.ts). Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('drawings')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('author_email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('drawings').execute()
}
