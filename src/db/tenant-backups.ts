import type { Selectable } from 'kysely'
import type { Db } from './database.js'
import type { TenantBackupsTable } from './schema.js'
import { isUuid } from './tenants.js'

// Per-tenant backups on disk (issue 11 item 5): one row per file under the backup directory.

export type BackupReason = 'manual' | 'scheduled' | 'pre_delete' | 'pre_restore'

export type TenantBackup = {
  id: string
  tenantId: string
  slug: string
  schemaName: string
  reason: BackupReason
  /** `pg_dump` (PostgreSQL) | `pglite` (the embedded database's dump). */
  format: string
  /** Path under the backup directory: `<slug>/<file>`. */
  fileName: string
  /** Bytes on disk (compressed and encrypted). */
  sizeBytes: number
  /** SHA-256 of the file on disk, hex. */
  sha256: string
  /** Tenant migrations applied in the schema when it was dumped. */
  migrations: string[]
  runId: string | null
  createdBy: string | null
  createdAt: Date
  /** Time the dump and write took, in milliseconds. */
  durationMs: number
}

function toTenantBackup(row: Selectable<TenantBackupsTable>): TenantBackup {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    slug: row.slug,
    schemaName: row.schema_name,
    reason: row.reason as BackupReason,
    format: row.format,
    fileName: row.file_name,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    migrations: (row.migrations ?? []) as string[],
    runId: row.run_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    durationMs: row.duration_ms,
  }
}

/** Inserts one backup row (`backup.migrations` as JSON). */
export async function insertTenantBackup(db: Db, backup: TenantBackup): Promise<TenantBackup> {
  const row = await db
    .insertInto('tenant_backups')
    .values({
      id: backup.id,
      tenant_id: backup.tenantId,
      slug: backup.slug,
      schema_name: backup.schemaName,
      reason: backup.reason,
      format: backup.format,
      file_name: backup.fileName,
      size_bytes: backup.sizeBytes,
      sha256: backup.sha256,
      migrations: JSON.stringify(backup.migrations),
      run_id: backup.runId,
      created_by: backup.createdBy,
      created_at: backup.createdAt,
      duration_ms: backup.durationMs,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return toTenantBackup(row)
}

/** A tenant's backups, newest first. */
export async function listTenantBackups(db: Db, tenantId: string): Promise<TenantBackup[]> {
  const rows = await db
    .selectFrom('tenant_backups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute()
  return rows.map(toTenantBackup)
}

/** One backup, or undefined when the id is unknown (or not a uuid). */
export async function findTenantBackup(db: Db, id: string): Promise<TenantBackup | undefined> {
  if (!isUuid(id)) return undefined
  const row = await db
    .selectFrom('tenant_backups')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toTenantBackup(row)
}

/**
 * Deletes the rows of a tenant's backups beyond the newest `keep` (by created_at), not counting
 * `pre_delete` and `pre_restore` backups, which are kept until the tenant is purged (issue 11
 * item 5): taking a pre_restore backup must never prune the backup being restored, and it is the
 * only way back from a wrong restore (review finding 2).
 * @returns the rows deleted, for the caller to remove their files after commit
 */
export async function pruneTenantBackups(
  db: Db,
  tenantId: string,
  keep: number,
): Promise<TenantBackup[]> {
  const beyond = db
    .selectFrom('tenant_backups')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('reason', 'not in', ['pre_delete', 'pre_restore'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(keep)
  const rows = await db
    .deleteFrom('tenant_backups')
    .where('id', 'in', beyond)
    .returningAll()
    .execute()
  return rows.map(toTenantBackup)
}

/** The backup a job run already made of a tenant (a re-claimed item finds its work done). */
export async function findRunBackup(
  db: Db,
  runId: string,
  tenantId: string,
): Promise<TenantBackup | undefined> {
  const row = await db
    .selectFrom('tenant_backups')
    .selectAll()
    .where('run_id', '=', runId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row && toTenantBackup(row)
}
