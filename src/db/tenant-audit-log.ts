import { sql } from 'kysely'
import type { Db } from './database.js'
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
