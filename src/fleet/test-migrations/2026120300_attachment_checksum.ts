import type { Kysely } from 'kysely'

// A tenant migration for the health check's tests only (TENANT_MIGRATION_DIRS in a test): it adds
// a column and a plain index, which the baseline and the example app lack, so a dropped index and
// a schema behind on an ADD COLUMN can be shown. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('attachments').addColumn('checksum', 'text').execute()
  await db.schema
    .createIndex('attachments_created_idx')
    .on('attachments')
    .column('created_at')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('attachments_created_idx').execute()
  await db.schema.alterTable('attachments').dropColumn('checksum').execute()
}
