import { sql, type Kysely } from 'kysely'

// Issue 9 item 7: the audit page filters by bulk batch (`/audit?batch=…`), newest first. Only
// batch entries have a batch id, so the index holds those rows alone. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index audit_log_batch_idx on audit_log (batch_id, seq desc)
    where batch_id is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index audit_log_batch_idx`.execute(db)
}
