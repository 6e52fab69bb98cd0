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

/** Rows /fleet/backups shows at most: the stalest (review finding 7 of issue 11). */
export const SHOWN_BACKUP_ROWS = 50

/** A backup older than this is stale (two nightly backups missed; ms). */
export const STALE_BACKUP_MS = 2 * 86_400_000

/** /fleet/backups' list: the stalest tenants, and counts over every live tenant. */
export type LastBackupOverview = {
  /** At most SHOWN_BACKUP_ROWS: never backed up first, then oldest newest-backup first. */
  shown: TenantLastBackup[]
  /** Tenants not deleted. */
  total: number
  /** Of those, never backed up or newest backup older than STALE_BACKUP_MS before `now`. */
  stale: number
}

/**
 * The SHOWN_BACKUP_ROWS stalest tenants that are not deleted, with their newest backup (never
 * backed up first, then oldest first, so what needs attention leads), and the totals from one
 * aggregate query. Per-tenant newest backups come from one grouped scan of tenant_backups; the
 * newest backup's row is read for the shown tenants only (not a lateral query per tenant).
 */
export async function listLastBackups(db: Db, now: Date = new Date()): Promise<LastBackupOverview> {
  const staleBefore = new Date(now.getTime() - STALE_BACKUP_MS)
  const { rows } = await sql<TenantLastBackup>`
    with newest as (
      select tenant_id, max(created_at) as at from tenant_backups group by tenant_id),
    stalest as (
      select t.id, t.slug, t.status, n.at from tenants t
      left join newest n on n.tenant_id = t.id
      where t.status <> 'deleted'
      order by n.at asc nulls first, t.slug limit ${SHOWN_BACKUP_ROWS})
    select s.id as "tenantId", s.slug, s.status, b.id as "backupId",
      s.at as "lastBackupAt", b.size_bytes as "sizeBytes"
    from stalest s
    left join lateral (select id, size_bytes from tenant_backups
      where tenant_id = s.id and created_at = s.at limit 1) b on true
    order by s.at asc nulls first, s.slug`.execute(db)
  const counts = await sql<{ total: number; stale: number }>`
    select count(*)::int as total,
      count(*) filter (where n.at is null or n.at < ${staleBefore})::int as stale
    from tenants t
    left join (select tenant_id, max(created_at) as at from tenant_backups group by tenant_id) n
      on n.tenant_id = t.id
    where t.status <> 'deleted'`.execute(db)
  const shown = rows.map((r) => ({
    ...r,
    sizeBytes: r.sizeBytes === null ? null : Number(r.sizeBytes),
  }))
  return { shown, ...counts.rows[0] }
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
