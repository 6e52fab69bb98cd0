import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from '../config.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle } from '../db/database.js'
import {
  insertTenantBackup,
  pruneTenantBackups,
  type BackupReason,
  type TenantBackup,
} from '../db/tenant-backups.js'
import { countSchemaTables, listAppliedTenantMigrations } from '../db/tenant-schema.js'
import { findTenantById, findTenantForUpdate, tenantSchemaName } from '../db/tenants.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { backupKey, writeBackupFile } from './backup-file.js'
import { hasUnsafeDumpText } from './dump-safety.js'
import { dumpSchema } from './schema-dump.js'

export type { BackupReason, TenantBackup } from '../db/tenant-backups.js'

export type BackupRefusal =
  'tenant_not_found' | 'tenant_deleted' | 'schema_missing' | 'unsafe_dump_text'

/** Reasons for which a `deleted` tenant may still be backed up (review finding 4). */
const DELETED_TENANT_REASONS: readonly BackupReason[] = ['pre_delete', 'pre_restore']

/** Where a backup's file lives: `config.backupDir/<slug>/<file>`. */
export function backupPath(config: Config, backup: Pick<TenantBackup, 'fileName'>): string {
  return join(config.backupDir, backup.fileName)
}

/**
 * Backs up one tenant's schema (issue 11 item 5): a logical dump (src/fleet/schema-dump.ts),
 * gzipped, encrypted and checksummed into `config.backupDir/<slug>/` (src/fleet/backup-file.ts),
 * then ONE transaction inserts the `tenant_backups` row, audits `tenant.backup` (after: id,
 * size in bytes, sha256, reason, migrations applied, and the ids pruned) and applies retention:
 * the newest `config.backupRetention` per tenant are kept (pre_delete and pre_restore
 * backups until purge).
 * Pruned files are removed after the commit. A `deleted` tenant is backed up only for reason
 * `pre_delete` or `pre_restore` (restoring one within its grace period); any other reason is
 * refused as `tenant_deleted`, and so is every reason once its purge_after is cleared or past,
 * checked before the dump and again under the tenant row's lock
 * when recording (review finding 4: a manual backup during a purge left its data on disk).
 * @returns the backup, or `tenant_not_found`, `tenant_deleted`, `schema_missing` or (embedded
 * database only) `unsafe_dump_text`: a name, body or comment of the schema holds a line break
 * followed by a backslash, which PGlite's pg_dump would corrupt (nothing written then)
 * @throws when pg_dump or the file system fails (the partial file is removed, no row written)
 */
export async function createTenantBackup(
  database: DatabaseHandle,
  config: Config,
  context: AuditContext,
  tenantId: string,
  reason: BackupReason,
  options: { runId?: string; now?: Date } = {},
): Promise<DomainResult<{ backup: TenantBackup }, BackupRefusal>> {
  const { db } = database
  const tenant = await findTenantById(db, tenantId)
  if (!tenant) return refuse('tenant_not_found')
  const now = options.now ?? new Date()
  if (!backupAllowed(tenant, reason, now)) return refuse('tenant_deleted')
  const schema = tenantSchemaName(tenant.slug)
  if ((await countSchemaTables(db, schema)) === undefined) return refuse('schema_missing')
  // PGlite's pg_dump drops lines of its output that names or bodies can forge (dump-safety.ts).
  if (database.pglite && (await hasUnsafeDumpText(db, schema))) return refuse('unsafe_dump_text')
  const started = performance.now()
  const id = crypto.randomUUID()
  const fileName = `${tenant.slug}/${fileStamp(now)}-${reason}-${id}.sql.gz.enc`
  const path = join(config.backupDir, fileName)
  const migrations = await listAppliedTenantMigrations(db, tenant.slug)
  const written = await writeBackupFile(
    await dumpSchema(database, schema),
    path,
    backupKey(config.secretKey),
  )
  const backup: TenantBackup = {
    ...{ id, tenantId, slug: tenant.slug, schemaName: schema, reason, fileName, migrations },
    format: database.kind === 'pglite' ? 'pglite' : 'pg_dump',
    ...written,
    runId: options.runId ?? null,
    createdBy: context.actor?.id ?? null,
    createdAt: now,
    durationMs: Math.round(performance.now() - started),
  }
  const recorded = await recordBackup(database, config, context, backup).catch(async (error) => {
    await rm(path, { force: true })
    throw error
  })
  if (!recorded.ok) {
    await rm(path, { force: true })
    return recorded
  }
  await Promise.all(recorded.pruned.map((b) => rm(backupPath(config, b), { force: true })))
  return { ok: true, backup: recorded.backup }
}

async function recordBackup(
  database: DatabaseHandle,
  config: Config,
  context: AuditContext,
  backup: TenantBackup,
) {
  return database.db.transaction().execute(async (trx) => {
    const tenant = await findTenantForUpdate(trx, backup.tenantId)
    if (!tenant) return refuse('tenant_not_found')
    if (!backupAllowed(tenant, backup.reason, backup.createdAt)) return refuse('tenant_deleted')
    const inserted = await insertTenantBackup(trx, backup)
    const pruned = await pruneTenantBackups(trx, backup.tenantId, config.backupRetention)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'tenant.backup',
        targetType: 'tenant',
        targetId: backup.tenantId,
        tenantId: backup.tenantId,
        after: {
          id: backup.id,
          sizeBytes: backup.sizeBytes,
          sha256: backup.sha256,
          reason: backup.reason,
          migrations: backup.migrations,
          ...(backup.runId ? { runId: backup.runId } : {}),
          ...(pruned.length ? { pruned: pruned.map((b) => b.id) } : {}),
        },
      },
      backup.createdAt,
    )
    return { ok: true as const, backup: inserted, pruned }
  })
}

/** A deleted tenant only before purge_after (cleared once purged): second review, item 3. */
function backupAllowed(
  tenant: { status: string; purgeAfter: Date | null },
  reason: BackupReason,
  now: Date,
): boolean {
  if (tenant.status !== 'deleted') return true
  const inGrace = tenant.purgeAfter !== null && tenant.purgeAfter.getTime() > now.getTime()
  return inGrace && DELETED_TENANT_REASONS.includes(reason)
}

/** `20261201T102814Z`: sorts by time in a directory listing. */
function fileStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}
