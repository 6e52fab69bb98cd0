import type { Db } from './database.js'
import { tenantSchemaDb } from './tenant-schema.js'

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
