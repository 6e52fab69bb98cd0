import type { Kysely } from 'kysely'

// Issue 14 item 5: where each signed audit checkpoint went after its commit. The row is the
// evidence inside the database; the file (AUDIT_CHECKPOINT_DIR) and the mail are the copies an
// attacker with database access cannot reach. A failed copy is recorded here, never lost.
// - file_error: why the file could not be written (null when written or not tried yet)
// - mailed_at / mail_error: when it was mailed to AUDIT_CHECKPOINT_MAIL_TO, or why not

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_checkpoints')
    .addColumn('file_error', 'text')
    .addColumn('mailed_at', 'timestamptz')
    .addColumn('mail_error', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_checkpoints')
    .dropColumn('file_error')
    .dropColumn('mailed_at')
    .dropColumn('mail_error')
    .execute()
}
