import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database } from './schema.js'
import { tenantSchemaDb, tenantSchemaName } from './tenant-schema.js'

// The tenant's own audit log, `tenant_<slug>.audit_log`: what the tenant's admins see of changes
// made to their organisation (DESIGN.md §7). Separate from the platform's hash-chained log.

export type TenantAuditEntry = {
  id: number
  createdAt: Date
  /** Who acted, as the tenant sees it: `platform`, `seed`, or a user's email. */
  actor: string
  action: string
  details: Record<string, unknown>
}

export type NewTenantAuditEntry = {
  actor: string
  action: string
  details?: Record<string, unknown>
}

/**
 * Appends entries to the tenant's audit log, in one statement on `db` (pass the transaction of
 * the change so both commit together).
 * @throws when the tenant schema or its audit_log does not exist
 */
export async function appendTenantAuditEntries(
  db: Db,
  slug: string,
  entries: NewTenantAuditEntry[],
): Promise<void> {
  if (entries.length === 0) return
  await tenantSchemaDb(db, slug)
    .insertInto('audit_log')
    .values(
      entries.map((e) => ({
        actor: e.actor,
        action: e.action,
        details: JSON.stringify(e.details ?? {}),
      })),
    )
    .execute()
}

/**
 * Appends one entry to the tenant's audit log and returns its id (what the kit API answers).
 * @throws when the tenant schema or its audit_log does not exist
 */
export async function appendTenantAuditEntry(
  db: Db,
  slug: string,
  entry: NewTenantAuditEntry,
): Promise<number> {
  const row = await tenantSchemaDb(db, slug)
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      details: JSON.stringify(entry.details ?? {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return Number(row.id)
}

/** Whether `tenant_<slug>.audit_log` exists (a catalog lookup: on Citus, on the coordinator). */
export async function tenantAuditLogExists(db: Db, slug: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select to_regclass(${`${tenantSchemaName(slug)}.audit_log`}) is not null as found`.execute(db)
  return rows[0]?.found ?? false
}

/**
 * Delivers an outbox row's entries into the tenant's audit log, in the caller's transaction,
 * which must write nothing else (it runs on the tenant's node). Each entry gets
 * `details.deliveryId` and `created_at` = the outbox row's; when entries with that deliveryId
 * are already there (a redelivery after a crash before the outbox row was deleted) nothing is
 * added. A transaction-level advisory lock on the delivery id makes two deliveries of one row
 * (the verb's and the sweep's) take turns, so the second sees the first's entries.
 * @returns the ids of the delivered entries, in order, whether added now or before
 * @throws when the tenant schema or its audit_log does not exist
 */
export async function deliverTenantAuditEntries(
  trx: Transaction<Database>,
  slug: string,
  delivery: { id: string; createdAt: Date; entries: NewTenantAuditEntry[] },
): Promise<number[]> {
  await sql`select pg_advisory_xact_lock(hashtext(${`fleetdeck:tenant-audit:${delivery.id}`}))`.execute(
    trx,
  )
  const log = tenantSchemaDb(trx, slug)
  const marker = JSON.stringify({ deliveryId: delivery.id })
  const earlier = await log
    .selectFrom('audit_log')
    .select('id')
    .where(sql<boolean>`details @> ${marker}::jsonb`)
    .orderBy('id')
    .execute()
  if (earlier.length > 0 || delivery.entries.length === 0) return earlier.map((r) => Number(r.id))
  const rows = delivery.entries.map((e) => ({
    created_at: delivery.createdAt,
    actor: e.actor,
    action: e.action,
    details: JSON.stringify({ ...e.details, deliveryId: delivery.id }),
  }))
  const added = await log.insertInto('audit_log').values(rows).returning('id').execute()
  return added.map((r) => Number(r.id)).sort((a, b) => a - b)
}

/**
 * The tenant's latest audit entries, newest first; `limit` defaults to 50.
 * @throws when the tenant schema or its audit_log does not exist
 */
export async function listTenantAuditEntries(
  db: Db,
  slug: string,
  limit = 50,
): Promise<TenantAuditEntry[]> {
  const rows = await tenantSchemaDb(db, slug)
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    createdAt: r.created_at,
    actor: r.actor,
    action: r.action,
    details: (r.details ?? {}) as Record<string, unknown>,
  }))
}

/**
 * Appends a `member.added` entry by `actor` for every membership of the tenant except the one of
 * `exceptEmail` (its first admin, whom onboarding recorded), dated as the membership, in one
 * INSERT … SELECT: how the demo fleet records the members it added in bulk.
 * @returns how many entries were appended
 * @throws when the tenant schema or its audit_log does not exist
 */
export async function appendMemberAddedEntries(
  db: Db,
  tenant: { id: string; slug: string },
  actor: string,
  exceptEmail: string,
): Promise<number> {
  const result = await sql`
    insert into ${sql.table(`${tenantSchemaName(tenant.slug)}.audit_log`)}
      (created_at, actor, action, details)
    select m.created_at, ${actor}, 'member.added',
      jsonb_build_object('email', u.email, 'role', m.role)
    from public.memberships m join public.users u on u.id = m.user_id
    where m.tenant_id = ${tenant.id} and lower(u.email) <> lower(${exceptEmail})
    order by m.created_at`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}
