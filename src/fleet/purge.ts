import { rm } from 'node:fs/promises'
import type { Transaction } from 'kysely'
import { appendAuditEntry } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { deleteTenantMemberships } from '../db/memberships.js'
import { deleteStorageSnapshot } from '../db/storage-snapshots.js'
import { lockTenant, markTenantPurged } from '../db/tenant-deletion.js'
import { dropTenantSchema, tenantSchemaName } from '../db/tenant-schema.js'
import type { Tenant } from '../db/tenants.js'
import { backupPath } from './backups.js'
import type { JobHandler, JobItemOutcome, JobWork } from '../jobs/job-kinds.js'

// The purge (issue 11 item 6): one job item per deleted tenant past its grace period. It drops
// the schema, the memberships, the storage snapshot and every backup of the tenant; the row stays
// `deleted` with purge_after cleared, for the audit trail (and its slug stays taken).

/** The purge job kind's handler (registered in src/jobs/job-handlers.ts). */
export const purgeHandler: JobHandler = { kind: 'purge', runItem: purgeItem }

/**
 * Purges the item's tenant if it is still due: deleted, purge_after <= now, not protected.
 * Backup files go first (rm of a missing file is no error), then one transaction drops the
 * schema, deletes memberships, the storage snapshot and the backup rows, clears purge_after and
 * audits `tenant.purge` (actor null: the system). Idempotent: a re-claimed item whose work was
 * done finds purge_after null and is skipped.
 */
async function purgeItem(work: JobWork): Promise<JobItemOutcome> {
  const now = work.now()
  const tenantId = work.item.tenantId
  if (!tenantId) return { status: 'skipped', reason: 'the tenant row is gone' }
  const due = await work.db
    .transaction()
    .execute(async (trx) => whyNot(await lockTenant(trx, tenantId), now))
  if (due) return { status: 'skipped', reason: due }
  const backups = await listBackupFiles(work.db, tenantId)
  for (const b of backups) await rm(backupPath(work.config, b), { force: true })
  return work.db.transaction().execute(async (trx): Promise<JobItemOutcome> => {
    const tenant = await lockTenant(trx, tenantId)
    const reason = whyNot(tenant, now)
    if (reason) return { status: 'skipped', reason }
    return { status: 'done', result: await purgeLocked(trx, tenant!, backups, work.run.id, now) }
  })
}

/** The purge's row changes and its audit entry, inside the caller's transaction. */
async function purgeLocked(
  trx: Transaction<Database>,
  tenant: Tenant,
  backups: { sizeBytes: number }[],
  runId: string,
  now: Date,
) {
  await dropTenantSchema(trx, tenant.slug)
  const memberships = await deleteTenantMemberships(trx, tenant.id)
  await deleteStorageSnapshot(trx, tenant.id)
  await trx.deleteFrom('tenant_backups').where('tenant_id', '=', tenant.id).execute()
  await markTenantPurged(trx, tenant.id, now)
  const after = {
    schemaDropped: tenantSchemaName(tenant.slug),
    membershipsRemoved: memberships,
    backupsRemoved: backups.length,
    bytesFreed: backups.reduce((sum, b) => sum + b.sizeBytes, 0),
  }
  await appendAuditEntry(
    trx,
    { actor: null, batchId: runId },
    {
      action: 'tenant.purge',
      targetType: 'tenant',
      targetId: tenant.id,
      tenantId: tenant.id,
      before: { status: 'deleted', purgeAfter: tenant.purgeAfter!.toISOString() },
      after,
    },
    now,
  )
  return after
}

/** Why the tenant is not to be purged now, or undefined when it is due. */
function whyNot(tenant: Tenant | undefined, now: Date): string | undefined {
  if (!tenant) return 'the tenant row is gone'
  if (tenant.status !== 'deleted') return `the tenant is ${tenant.status} (restored)`
  if (!tenant.purgeAfter) return 'already purged'
  if (tenant.protected) return 'the tenant is protected'
  if (tenant.purgeAfter.getTime() > now.getTime()) return 'its grace period is not over'
  return undefined
}

async function listBackupFiles(db: Db, tenantId: string) {
  const rows = await db
    .selectFrom('tenant_backups')
    .select(['file_name', 'size_bytes'])
    .where('tenant_id', '=', tenantId)
    .execute()
  return rows.map((r) => ({ fileName: r.file_name, sizeBytes: Number(r.size_bytes) }))
}
