import { randomBytes } from 'node:crypto'
import { sql, type Transaction } from 'kysely'
import type { Config } from '../config.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { findTenantBackup, type TenantBackup } from '../db/tenant-backups.js'
import { countSchemaTables } from '../db/tenant-schema.js'
import { findTenantById, findTenantBySlug, tenantSchemaName, type Tenant } from '../db/tenants.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { insertTenantRecord, runOnboarding, type NewTenant } from '../tenancy/onboarding.js'
import { backupKey, readBackupFile, type BackupReadRefusal } from './backup-file.js'
import { backupPath } from './backups.js'
import { keepNewSchemasLocal } from './citus.js'
import { lockSchema } from './repair-catalog.js'
import { isPreFixEmbeddedDump } from './dump-text.js'
import { replayDump } from './schema-dump.js'

// Restore of a backup into a NEW tenant (issue 11 item 5): the dump's contents under the new
// tenant's schema name, the source tenant untouched. The dump names its schema in every
// statement, so the replay happens under the source's name: in one transaction the source
// schema (if it still exists) is renamed aside, the dump replayed, the result renamed to the new
// name and the source renamed back. Renames keep OIDs, so defaults and foreign keys follow. On
// Citus the copy is distributed by onboarding's create_schema step after that commit
// (distributeTenantSchema handles a filled schema and truncates the coordinator's copy); the
// source stays distributed.

export type RestoreAsNewRefusal =
  'backup_not_found' | 'slug_taken' | 'plan_unavailable' | 'schema_exists' | BackupReadRefusal

/**
 * Restores `backupId` into a new tenant made from `input`: the replay, the tenant row (through
 * `insertTenantRecord`, as `createTenantRecord` makes it) and `tenant.restore` in ONE
 * transaction (replayAsNewTenant), then runs the onboarding pipeline over it — its steps are idempotent, so it applies tenant
 * migrations added since the backup, seeds missing roles, adds the first admin and activates.
 * Refuses, with nothing written, an unknown backup, an unreadable file (BackupReadRefusal), a
 * taken slug, an unavailable plan, or an existing `tenant_<slug>` schema (an orphan: adopt or
 * drop it first). Audited: `tenant.create`, `tenant.restore` (after: backup id, source tenant)
 * and the pipeline's entries.
 * @returns the tenant as it is after onboarding (`active`, or `failed` with the step's error)
 * @throws on a failing replay (rolled back, no tenant created)
 */
export async function restoreBackupAsNewTenant(
  database: DatabaseHandle,
  config: Config,
  context: AuditContext,
  backupId: string,
  input: NewTenant,
  now: Date = new Date(),
): Promise<DomainResult<{ tenant: Tenant; backup: TenantBackup }, RestoreAsNewRefusal>> {
  const { db } = database
  const backup = await findTenantBackup(db, backupId)
  if (!backup) return refuse('backup_not_found')
  const read = await readBackupFile(
    backupPath(config, backup),
    backupKey(config.secretKey),
    backup.sha256,
  )
  if (!read.ok) return read
  if (isPreFixEmbeddedDump(backup.format, read.sql)) return refuse('pre_fix_dump')
  if (await findTenantBySlug(db, input.slug)) return refuse('slug_taken')
  const created = await db
    .transaction()
    .execute((trx) => replayAsNewTenant(trx, context, { input, backup, dump: read.sql }, now))
    .catch((error: unknown) => {
      if (error instanceof Refused) return refuse(error.reason)
      throw error
    })
  if (!created.ok) return created
  const { tenant } = created
  // On Citus the copy is an ordinary coordinator schema until now: onboarding's create_schema
  // step distributes it (issue 13 item 3), so no second distribute here.
  await runOnboarding(db, context, tenant.id, { tenantMigrationDirs: config.tenantMigrationDirs })
  return { ok: true, tenant: (await findTenantById(db, tenant.id))!, backup }
}

/** Thrown inside the transaction to roll the replay back with a refusal (never escapes). */
class Refused extends Error {
  constructor(readonly reason: 'slug_taken' | 'plan_unavailable' | 'schema_exists') {
    super(reason)
  }
}

/**
 * ONE transaction (review finding 3): under the schema's advisory lock (the one migrations and
 * repairs take), the replay into `tenant_<slug>`, then the tenant row in `provisioning` with its
 * steps and `tenant.create`, then `tenant.restore`. Until it commits no other session sees the
 * schema, and a concurrent create of the slug waits on the row and then finds it taken; on any
 * refusal everything rolls back, so no schema is ever dropped. The tenant row comes after the
 * replay so the audit chain's lock is not held while a large dump runs.
 */
async function replayAsNewTenant(
  trx: Transaction<Database>,
  context: AuditContext,
  work: { input: NewTenant; backup: TenantBackup; dump: string },
  now: Date,
): Promise<DomainResult<{ tenant: Tenant }, never>> {
  const { input, backup } = work
  const schema = tenantSchemaName(input.slug)
  await lockSchema(trx, schema)
  if ((await countSchemaTables(trx, schema)) !== undefined) throw new Refused('schema_exists')
  await replayAs(trx, work.dump, backup.schemaName, schema)
  const record = await insertTenantRecord(trx, context, input, now)
  if (!record.ok) throw new Refused(record.reason)
  const { tenant } = record
  const entry = {
    action: 'tenant.restore',
    targetType: 'tenant',
    targetId: tenant.id,
    tenantId: tenant.id,
    after: { backupId: backup.id, sourceTenantId: backup.tenantId, sourceSlug: backup.slug },
  }
  await appendAuditEntry(trx, context, entry, now)
  return { ok: true, tenant }
}

async function replayAs(
  trx: Transaction<Database>,
  dump: string,
  source: string,
  target: string,
): Promise<void> {
  const present = (await countSchemaTables(trx, source)) !== undefined
  const aside = `restore_aside_${randomBytes(6).toString('hex')}`
  if (present) await sql`alter schema ${sql.id(source)} rename to ${sql.id(aside)}`.execute(trx)
  await keepNewSchemasLocal(trx)
  await replayDump(trx, dump, source)
  await sql`alter schema ${sql.id(source)} rename to ${sql.id(target)}`.execute(trx)
  if (present) await sql`alter schema ${sql.id(aside)} rename to ${sql.id(source)}`.execute(trx)
}
