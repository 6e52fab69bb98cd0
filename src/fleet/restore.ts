import { sql } from 'kysely'
import type { Config } from '../config.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle } from '../db/database.js'
import { findTenantBackup, type TenantBackup } from '../db/tenant-backups.js'
import { countSchemaTables, measureSchemaSizes } from '../db/tenant-schema.js'
import {
  findTenantById,
  findTenantForUpdate,
  tenantSchemaName,
  type Tenant,
} from '../db/tenants.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { backupKey, readBackupFile, type BackupReadRefusal } from './backup-file.js'
import { backupPath, createTenantBackup } from './backups.js'
import { distributeFilledSchema, keepNewSchemasLocal } from './citus.js'
import { isPreFixEmbeddedDump } from './dump-text.js'
import { replayDump } from './schema-dump.js'

// Restore of a backup into the tenant's OWN schema (issue 11 item 5). It overwrites live data,
// so it is allowed only while the tenant cannot be in use: suspended, or deleted within its
// grace period; the operator types the slug, and the route asks for step-up.

export type RestoreRefusal =
  | 'backup_not_found'
  | 'not_restorable'
  | 'slug_mismatch'
  | 'tenant_changed'
  /** The current contents could not be backed up first (e.g. unsafe dump text on PGlite). */
  | 'pre_restore_failed'
  | BackupReadRefusal

/** Whether `tenant` may be restored into its own schema now, and if not, why (for the page). */
export function restoreBlocker(tenant: Tenant, now: Date): string | undefined {
  if (tenant.status === 'suspended') return undefined
  if (tenant.status === 'deleted') {
    if (tenant.purgeAfter && tenant.purgeAfter > now) return undefined
    return 'it was deleted and its grace period is over'
  }
  return `it is ${tenant.status}: suspend it first, so nobody writes while it is replaced`
}

/**
 * Replaces `tenantId`'s schema with the backup's contents. Refuses, with nothing touched, a
 * backup of another tenant, a tenant not suspended or deleted-in-grace (`not_restorable`), a
 * typed slug that is not the tenant's (`slug_mismatch`), and a file that is missing, changed on
 * disk or encrypted under another key (BackupReadRefusal). Otherwise takes a `pre_restore`
 * backup of the current schema (when there is one; when it cannot be taken, `pre_restore_failed`
 * and nothing changes), then in ONE transaction re-checks the
 * tenant under a row lock, drops the schema, replays the dump and audits `tenant.restore`
 * (before: tables, size in bytes; after: backup id, its time, the pre-restore backup id).
 * On Citus the restored schema is then distributed again (distributeRestored), possibly onto
 * another worker node; when that fails the restore still succeeded (it committed) and the result
 * says `distributed: false` with the error, so the operator sees both.
 * @throws on a failing replay: the transaction rolls back and the old schema stays
 */
export async function restoreTenantBackup(
  database: DatabaseHandle,
  config: Config,
  context: AuditContext,
  input: { tenantId: string; backupId: string; typedSlug: string },
  now: Date = new Date(),
): Promise<
  DomainResult<
    { backup: TenantBackup; preRestore: TenantBackup | null } & Distribution,
    RestoreRefusal
  >
> {
  const backup = await findTenantBackup(database.db, input.backupId)
  const tenant = await findTenantById(database.db, input.tenantId)
  if (!backup || !tenant || backup.tenantId !== tenant.id) return refuse('backup_not_found')
  if (restoreBlocker(tenant, now)) return refuse('not_restorable')
  if (input.typedSlug.trim() !== tenant.slug) return refuse('slug_mismatch')
  const read = await readBackupFile(
    backupPath(config, backup),
    backupKey(config.secretKey),
    backup.sha256,
  )
  if (!read.ok) return read
  if (isPreFixEmbeddedDump(backup.format, read.sql)) return refuse('pre_fix_dump')
  const pre = await createTenantBackup(database, config, context, tenant.id, 'pre_restore', { now })
  // Only a tenant with no schema left has nothing to keep; otherwise no copy, no restore.
  if (!pre.ok && pre.reason !== 'schema_missing') return refuse('pre_restore_failed')
  const preRestore = pre.ok ? pre.backup : null
  const restored = await database.db.transaction().execute(async (trx) => {
    const locked = await findTenantForUpdate(trx, tenant.id)
    if (!locked || restoreBlocker(locked, now)) return refuse('tenant_changed')
    const schema = tenantSchemaName(locked.slug)
    const before = {
      tables: (await countSchemaTables(trx, schema)) ?? 0,
      sizeBytes: (await measureSchemaSizes(trx, [schema])).get(schema) ?? 0,
    }
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(trx)
    await keepNewSchemasLocal(trx)
    await replayDump(trx, read.sql, schema)
    const entry = {
      action: 'tenant.restore',
      targetType: 'tenant',
      targetId: locked.id,
      tenantId: locked.id,
      before,
      after: {
        backupId: backup.id,
        backupCreatedAt: backup.createdAt.toISOString(),
        preRestoreBackupId: preRestore?.id ?? null,
        tables: (await countSchemaTables(trx, schema)) ?? 0,
      },
    }
    await appendAuditEntry(trx, context, entry, now)
    return { ok: true as const, backup, preRestore }
  })
  if (!restored.ok) return restored
  return { ...restored, ...(await distributeRestored(database, tenantSchemaName(tenant.slug))) }
}

/**
 * Whether the restored schema is distributed on Citus: false only when distributing it failed
 * (then `error` says why); true off Citus too, where there is nothing to distribute.
 */
export type Distribution = { distributed: true } | { distributed: false; error: string }

/**
 * On Citus the replay made an ordinary coordinator schema: distribute it again (issue 13 item
 * 3), after the commit — see distributeFilledSchema. A failure does not undo the committed
 * restore, so it is returned, not thrown: the data stays local, where fleet health flags it and
 * Repair distributes it.
 */
export async function distributeRestored(
  database: DatabaseHandle,
  schema: string,
): Promise<Distribution> {
  try {
    await distributeFilledSchema(database.db, schema)
    return { distributed: true }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    return { distributed: false, error: why.slice(0, 500) }
  }
}
