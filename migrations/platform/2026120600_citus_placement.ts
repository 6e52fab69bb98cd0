import { sql, type Kysely } from 'kysely'

// Issue 13 (Citus schema-based sharding).
// - storage_snapshots.node: the worker node (`host:port`) holding the tenant's schema, measured
//   with its size; null on a plain server or for a schema left local on the coordinator.
// - tenant_audit_outbox: entries for a tenant's own audit log, written in the transaction of the
//   public change (impersonation, membership, first admin) and delivered into the tenant schema
//   by a transaction of its own afterwards, so no transaction writes both `public` and a tenant
//   schema (Citus commits such a transaction one-phase, the worker first). `id` travels with the
//   delivered entry, so a redelivery after a crash adds nothing.
// Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('storage_snapshots').addColumn('node', 'text').execute()
  await db.schema
    .createTable('tenant_audit_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('entries', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'timestamptz')
    .execute()
  await db.schema
    .createIndex('tenant_audit_outbox_created')
    .on('tenant_audit_outbox')
    .column('created_at')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tenant_audit_outbox').execute()
  await db.schema.alterTable('storage_snapshots').dropColumn('node').execute()
}
