import { sql } from 'kysely'
import type { Db } from './database.js'
import type { TenantStatus } from './schema.js'

// What /fleet/backups and the tenant page read about backups (issue 11 item 5; seed 002
// "backup-queue depth"). Reads only public tables: one query each, never one per tenant.

/** A backup as a page lists it, with the email of the operator who took it (null: the scheduler). */
export type ListedBackup = {
  id: string
  reason: string
  sizeBytes: number
  sha256: string
  createdAt: Date
  createdByEmail: string | null
}

/** A tenant's backups for its page, newest first. */
export async function listBackupsOfTenant(db: Db, tenantId: string): Promise<ListedBackup[]> {
  const rows = await db
    .selectFrom('tenant_backups as b')
    .leftJoin('super_admins as a', 'a.id', 'b.created_by')
    .select(['b.id', 'b.reason', 'b.size_bytes', 'b.sha256', 'b.created_at', 'a.email'])
    .where('b.tenant_id', '=', tenantId)
    .orderBy('b.created_at', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    reason: r.reason,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    createdAt: r.created_at,
    createdByEmail: r.email,
  }))
}

/** A tenant that is not deleted, with its newest backup (null: never backed up). */
export type TenantLastBackup = {
  tenantId: string
  slug: string
  status: TenantStatus
  backupId: string | null
  lastBackupAt: Date | null
  sizeBytes: number | null
}

/**
 * Every tenant that is not deleted with its newest backup: never backed up first, then oldest
 * backup first, so what needs attention leads the list.
 */
export async function listLastBackups(db: Db): Promise<TenantLastBackup[]> {
  const { rows } = await sql<TenantLastBackup>`
    select t.id as "tenantId", t.slug, t.status, b.id as "backupId",
      b.created_at as "lastBackupAt", b.size_bytes as "sizeBytes"
    from tenants t
    left join lateral (
      select id, created_at, size_bytes from tenant_backups
      where tenant_id = t.id order by created_at desc limit 1
    ) b on true
    where t.status <> 'deleted'
    order by b.created_at asc nulls first, t.slug`.execute(db)
  return rows.map((r) => ({ ...r, sizeBytes: r.sizeBytes === null ? null : Number(r.sizeBytes) }))
}

/** Backups on disk: how many and their bytes in total. */
export async function backupTotals(db: Db): Promise<{ count: number; bytes: number }> {
  const { rows } = await sql<{ count: number; bytes: number }>`
    select count(*)::int as count, coalesce(sum(size_bytes), 0)::bigint as bytes
    from tenant_backups`.execute(db)
  return { count: rows[0].count, bytes: Number(rows[0].bytes) }
}

/** The backup queue's depth: items of backup runs still pending or running (seed 002). */
export async function backupQueueDepth(db: Db): Promise<{ pending: number; running: number }> {
  const { rows } = await sql<{ pending: number; running: number }>`
    select count(*) filter (where i.status = 'pending')::int as pending,
      count(*) filter (where i.status = 'running')::int as running
    from job_items i join job_runs r on r.id = i.run_id
    where r.kind = 'backup' and r.status in ('running', 'paused')
      and i.status in ('pending', 'running')`.execute(db)
  return rows[0]
}
