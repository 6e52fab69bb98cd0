import { findTenantForUpdate } from '../db/tenants.js'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Transaction } from 'kysely'
import { appendAuditEntry } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { deleteTenantMemberships } from '../db/memberships.js'
import { deleteStorageSnapshot } from '../db/storage-snapshots.js'
import { markTenantPurged } from '../db/tenant-deletion.js'
import { dropTenantSchema, tenantSchemaName } from '../db/tenant-schema.js'
import type { Tenant } from '../db/tenants.js'
import type { JobHandler, JobItemOutcome, JobWork } from '../jobs/job-kinds.js'
import { backupPath } from './backups.js'

// The purge (issue 11 item 6): one job item per deleted tenant past its grace period. It drops
// the schema, the memberships, the storage snapshot and every backup of the tenant; the row stays
// `deleted` with purge_after cleared, for the audit trail (and its slug stays taken).

/** The purge job kind's handler (registered in src/jobs/job-handlers.ts). */
export const purgeHandler: JobHandler = { kind: 'purge', runItem: purgeItem }

/**
 * Purges the item's tenant if it is still due: deleted, purge_after <= now, not protected.
 * ONE transaction locks the tenant row, re-checks, drops the schema, deletes memberships, the
 * storage snapshot and the backup rows, clears purge_after and audits `tenant.purge` (actor null:
 * the system). The backup files go only after that commit, by removing the tenant's whole backup
 * directory (`backupDir/<slug>`), so a tenant protected while the item ran keeps its backups.
 * Idempotent: a re-claimed item whose work was committed finds purge_after null, is skipped, and
 * removes files a crash after the commit left behind (issue 11 item 6; review finding 1).
 */
async function purgeItem(work: JobWork): Promise<JobItemOutcome> {
  const now = work.now()
  const tenantId = work.item.tenantId
  if (!tenantId) return { status: 'skipped', reason: 'the tenant row is gone' }
  const { tenant, backups, outcome } = await work.db.transaction().execute(async (trx) => {
    const tenant = await findTenantForUpdate(trx, tenantId)
    const reason = whyNot(tenant, now)
    if (reason) return { tenant, backups: [], outcome: skipped(reason) }
    const backups = await listBackupFiles(trx, tenantId)
    const result = await purgeLocked(trx, tenant!, backups, work.run.id, now)
    return { tenant, backups, outcome: { status: 'done', result } as JobItemOutcome }
  })
  if (tenant?.status === 'deleted' && !tenant.purgeAfter && outcome.status === 'skipped') {
    await removeBackupFiles(work, tenant.slug, [])
  }
  if (outcome.status === 'done') await removeBackupFiles(work, tenant!.slug, backups)
  return outcome
}

const skipped = (reason: string): JobItemOutcome => ({ status: 'skipped', reason })

/** Removes a purged tenant's backup files and its directory; missing ones are no error. */
async function removeBackupFiles(work: JobWork, slug: string, backups: { fileName: string }[]) {
  for (const b of backups) await rm(backupPath(work.config, b), { force: true })
  await rm(join(work.config.backupDir, slug), { recursive: true, force: true })
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

async function listBackupFiles(db: Db | Transaction<Database>, tenantId: string) {
  const rows = await db
    .selectFrom('tenant_backups')
    .select(['file_name', 'size_bytes'])
    .where('tenant_id', '=', tenantId)
    .execute()
  return rows.map((r) => ({ fileName: r.file_name, sizeBytes: Number(r.size_bytes) }))
}
