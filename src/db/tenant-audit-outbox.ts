import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database } from './schema.js'
import type { NewTenantAuditEntry } from './tenant-audit-log.js'

// public.tenant_audit_outbox (migration 2026120600): entries for a tenant's own audit log that
// commit with the public change they describe and are delivered into `tenant_<slug>.audit_log`
// afterwards by a transaction of their own (src/tenancy/tenant-audit-delivery.ts). On Citus a
// transaction writing `public` and a tenant schema commits one-phase, the worker first (issue 13
// item 4); the outbox keeps every transaction on one side.

export type TenantAuditOutboxRow = {
  /** Travels with the delivered entries as `details.deliveryId`: a redelivery adds nothing. */
  id: string
  tenantId: string
  slug: string
  entries: NewTenantAuditEntry[]
  /** When the change committed (the transaction's start): the delivered entries' created_at. */
  createdAt: Date
  /** Failed deliveries so far. */
  attempts: number
  lastError: string | null
  lastAttemptAt: Date | null
}

type Row = {
  id: string
  tenant_id: string
  slug: string
  entries: unknown
  created_at: Date
  attempts: number
  last_error: string | null
  last_attempt_at: Date | null
}

function toOutboxRow(r: Row): TenantAuditOutboxRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    slug: r.slug,
    entries: r.entries as NewTenantAuditEntry[],
    createdAt: r.created_at,
    attempts: r.attempts,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
  }
}

/** Inserts one outbox row in the caller's (public) transaction; created_at is the database's now. */
export async function insertTenantAuditOutbox(
  trx: Transaction<Database>,
  row: { id: string; tenantId: string; slug: string; entries: NewTenantAuditEntry[] },
): Promise<void> {
  await trx
    .insertInto('tenant_audit_outbox')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      slug: row.slug,
      entries: JSON.stringify(row.entries),
    })
    .execute()
}

/** The outbox row `id`, or undefined once delivered (deleted) or never committed. */
export async function findTenantAuditOutbox(
  db: Db,
  id: string,
): Promise<TenantAuditOutboxRow | undefined> {
  const row = await db
    .selectFrom('tenant_audit_outbox')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toOutboxRow(row)
}

/**
 * Undelivered rows created before `createdBefore`, never-tried and least recently tried first,
 * at most `limit` (default 100):
 * what the sweep retries. The bound keeps it from racing a delivery that follows its commit.
 */
export async function listDueTenantAuditOutbox(
  db: Db,
  createdBefore: Date,
  limit = 100,
): Promise<TenantAuditOutboxRow[]> {
  const rows = await db
    .selectFrom('tenant_audit_outbox')
    .selectAll()
    .where('created_at', '<', createdBefore)
    // Never tried first, then the least recently tried: rows that keep failing cannot hold the
    // batch and starve newer ones.
    .orderBy(sql`last_attempt_at nulls first`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map(toOutboxRow)
}

/** Deletes a delivered (or discarded) row. @returns false when another delivery deleted it */
export async function deleteTenantAuditOutbox(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('tenant_audit_outbox').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

/**
 * Records a failed delivery: attempts + 1, the error (first 500 characters) and `now`. The row
 * stays for the sweep. Plain column arithmetic: Citus accepts it on a Citus-managed table.
 */
export async function recordTenantAuditOutboxFailure(
  db: Db,
  id: string,
  error: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('tenant_audit_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 500),
      last_attempt_at: now,
    }))
    .where('id', '=', id)
    .execute()
}
