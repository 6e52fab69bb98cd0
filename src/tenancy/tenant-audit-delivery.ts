import type { Transaction } from 'kysely'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import {
  deleteTenantAuditOutbox,
  findTenantAuditOutbox,
  insertTenantAuditOutbox,
  listDueTenantAuditOutbox,
  recordTenantAuditOutboxFailure,
  type TenantAuditOutboxRow,
} from '../db/tenant-audit-outbox.js'
import {
  deliverTenantAuditEntries,
  tenantAuditLogExists,
  type NewTenantAuditEntry,
} from '../db/tenant-audit-log.js'
import { findTenantById } from '../db/tenants.js'
import { processLogger } from '../observability/logger.js'

// Entries for a tenant's own audit log go through public.tenant_audit_outbox (issue 13 item 4):
// the public transaction of the change enqueues them, and after its commit a tenant-only
// transaction delivers them. No transaction writes both `public` and a tenant schema, which on
// Citus would commit one-phase (the worker first). The console still cannot suppress an entry:
// its outbox row commits with the change, and the sweep retries what a delivery could not do.

/** Outbox rows each open transaction enqueued, delivered by `transactWithTenantAudit` after it. */
const enqueued = new WeakMap<Transaction<Database>, string[]>()

/**
 * Enqueues `entries` for `tenant`'s own audit log in the caller's public transaction `trx`.
 * The tenant's log must exist now (a catalog lookup, no write): a change that could never be
 * delivered throws and rolls back, as writing the log in the same transaction did.
 * @returns the outbox row's id (the entries' `details.deliveryId` once delivered)
 * @throws when `tenant_<slug>.audit_log` does not exist
 */
export async function enqueueTenantAuditEntries(
  trx: Transaction<Database>,
  tenant: { id: string; slug: string },
  entries: NewTenantAuditEntry[],
): Promise<string> {
  if (!(await tenantAuditLogExists(trx, tenant.slug))) {
    throw new Error(`the audit log of tenant ${tenant.slug} does not exist`)
  }
  const id = crypto.randomUUID()
  await insertTenantAuditOutbox(trx, { id, tenantId: tenant.id, slug: tenant.slug, entries })
  enqueued.set(trx, [...(enqueued.get(trx) ?? []), id])
  return id
}

/**
 * Runs `work` in one transaction on `db`, then delivers what it enqueued
 * (`enqueueTenantAuditEntries`) once it has committed, so the tenant's log shows the entries
 * before the verb returns. A rolled-back transaction delivers nothing.
 */
export async function transactWithTenantAudit<T>(
  db: Db,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  let ids: string[] = []
  const result = await db.transaction().execute(async (trx) => {
    const value = await work(trx)
    ids = enqueued.get(trx) ?? []
    return value
  })
  await deliverTenantAudit(db, ids)
  return result
}

export type Delivery =
  | { id: string; outcome: 'delivered'; entryIds: number[] }
  | { id: string; outcome: 'gone' | 'discarded' }
  | { id: string; outcome: 'failed'; error: string }

/**
 * Delivers outbox rows after their commit, each on its own: the entries into the tenant's log
 * (a tenant-only transaction), then the row deleted (a public one). A crash in between leaves
 * the row; its redelivery finds the entries by deliveryId and adds nothing. A row of a deleted
 * tenant whose schema is gone is discarded; any other failure counts an attempt on the row and
 * keeps it for the sweep. Never throws for one row's failure.
 * @returns each row's outcome; `gone` when it was delivered already (no row any more)
 */
export async function deliverTenantAudit(db: Db, outboxIds: string[]): Promise<Delivery[]> {
  const deliveries: Delivery[] = []
  for (const id of outboxIds) {
    try {
      const row = await findTenantAuditOutbox(db, id)
      deliveries.push(row ? await deliverRow(db, row) : { id, outcome: 'gone' })
    } catch (cause) {
      // The change has committed: a failed read must not turn it into an error. The sweep retries.
      deliveries.push({ id, outcome: 'failed', error: (cause as Error).message || 'unknown error' })
    }
  }
  return deliveries
}

async function deliverRow(db: Db, row: TenantAuditOutboxRow): Promise<Delivery> {
  try {
    if (!(await tenantAuditLogExists(db, row.slug))) return await logMissing(db, row)
    const entryIds = await db
      .transaction()
      .execute((trx) => deliverTenantAuditEntries(trx, row.slug, row))
    await deleteTenantAuditOutbox(db, row.id)
    return { id: row.id, outcome: 'delivered', entryIds }
  } catch (cause) {
    return failed(db, row, (cause as Error).message || 'unknown error')
  }
}

/** No log to write into: a deleted tenant's entries go (auditImpersonationStep's rule), others wait. */
async function logMissing(db: Db, row: TenantAuditOutboxRow): Promise<Delivery> {
  const tenant = await findTenantById(db, row.tenantId)
  if (!tenant || tenant.status === 'deleted') {
    await deleteTenantAuditOutbox(db, row.id)
    return { id: row.id, outcome: 'discarded' }
  }
  return failed(db, row, `the audit log of tenant ${row.slug} does not exist`)
}

async function failed(db: Db, row: TenantAuditOutboxRow, error: string): Promise<Delivery> {
  // Best effort: the row stays for the sweep whether or not its attempt could be counted.
  await recordTenantAuditOutboxFailure(db, row.id, error, new Date()).catch(() => undefined)
  processLogger().warn(
    { outboxId: row.id, tenant: row.slug, error },
    'tenant audit delivery failed',
  )
  return { id: row.id, outcome: 'failed', error }
}

/** How old a row must be before the sweep takes it: the verb's own delivery has had its turn. */
export const OUTBOX_SWEEP_AGE_MS = 30_000

/**
 * Delivers outbox rows older than OUTBOX_SWEEP_AGE_MS at `now` (at most 100 a run, oldest
 * first): what a crash or a failed delivery left. Run every minute by the scheduler.
 * @returns how many were delivered (or found delivered), discarded and failed
 */
export async function sweepTenantAuditOutbox(
  db: Db,
  now: Date,
): Promise<{ delivered: number; discarded: number; failed: number }> {
  const due = await listDueTenantAuditOutbox(db, new Date(now.getTime() - OUTBOX_SWEEP_AGE_MS))
  const deliveries = await deliverTenantAudit(
    db,
    due.map((r) => r.id),
  )
  const count = (...outcomes: Delivery['outcome'][]) =>
    deliveries.filter((d) => outcomes.includes(d.outcome)).length
  return {
    delivered: count('delivered', 'gone'),
    discarded: count('discarded'),
    failed: count('failed'),
  }
}
