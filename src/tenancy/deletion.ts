import { findTenantForUpdate } from '../db/tenants.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Transaction } from 'kysely'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { DELETABLE, markTenantDeleted } from '../db/tenant-deletion.js'
import { findTenantById, type Tenant } from '../db/tenants.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { endTenantImpersonations } from './impersonation-end.js'

// Deleting a tenant with a grace period (issue 11 item 6): a pre_delete backup, then the row
// marked `deleted` with purge_after. The schema, memberships and storage snapshot stay until the
// purge job (src/fleet/purge.ts) drops them; a restore within the grace period brings it back.

const DAY_MS = 86_400_000

/**
 * Takes the tenant's pre_delete backup (src/fleet/backups.ts createTenantBackup in production).
 * `schema_missing` lets the delete go on with no backup (nothing is left to keep); any other
 * refusal refuses the delete; a throw propagates (nothing has changed by then).
 */
export type PreDeleteBackup = (
  tenant: Tenant,
) => Promise<DomainResult<{ backup: { id: string } }, string>>

export type DeleteRefusal = 'tenant_not_found' | 'already_deleted' | 'protected' | 'backup_failed'

export type DeleteOptions = { backup: PreDeleteBackup; graceDays: number; now?: Date }

/**
 * Deletes a tenant, keeping it restorable for `graceDays` days. The ladder: refuse a protected
 * or deleted tenant → the pre_delete backup, outside the transaction (a failed backup refuses
 * the delete and changes nothing) → one transaction: status `deleted`, deleted_at, purge_after =
 * now + graceDays × 24 h, live impersonations ended, `tenant.delete` audited with the backup id
 * and purge_after. The protection and status are checked again under the row lock.
 * @returns the deleted tenant and backup id (null when there was no schema to back up), or a
 *   refusal; `backup_failed` carries the backup's own reason in `detail`.
 */
export async function deleteTenant(
  db: Db,
  context: AuditContext,
  id: string,
  options: DeleteOptions,
): Promise<
  | DomainResult<
      { tenant: Tenant; backupId: string | null },
      Exclude<DeleteRefusal, 'backup_failed'>
    >
  | { ok: false; reason: 'backup_failed'; detail: string }
> {
  const now = options.now ?? new Date()
  const found = await findTenantById(db, id)
  const early = found ? deletable(found) : refuse('tenant_not_found')
  if (!early.ok) return early
  const backup = await takeBackup(options.backup, found!)
  if (!backup.ok) return { ok: false, reason: 'backup_failed', detail: backup.detail }
  const purgeAfter = new Date(now.getTime() + options.graceDays * DAY_MS)
  return db.transaction().execute(async (trx) => {
    const before = await findTenantForUpdate(trx, id)
    const check = before ? deletable(before) : refuse('tenant_not_found')
    if (!check.ok) return check
    const tenant = await markDeletedAudited(trx, context, before!, backup.id, purgeAfter, now)
    return { ok: true as const, tenant, backupId: backup.id }
  })
}

/** Marks deleted, ends impersonations and audits `tenant.delete`, in the caller's transaction. */
async function markDeletedAudited(
  trx: Transaction<Database>,
  context: AuditContext,
  before: Tenant,
  backupId: string | null,
  purgeAfter: Date,
  now: Date,
): Promise<Tenant> {
  const id = before.id
  const tenant = await markTenantDeleted(trx, id, now, purgeAfter)
  // Support access ends with the tenant: the kit refuses a deleted tenant anyway.
  const impersonationsEnded = await endTenantImpersonations(trx, context, id, now)
  await appendAuditEntry(
    trx,
    context,
    {
      action: 'tenant.delete',
      targetType: 'tenant',
      targetId: id,
      tenantId: id,
      before: { status: before.status, slug: before.slug, name: before.name },
      after: {
        status: 'deleted',
        schema: `${tenantSchemaName(before.slug)} (kept until the purge)`,
        backupId,
        ...(backupId ? {} : { backupSkipped: 'no schema to back up' }),
        purgeAfter: purgeAfter.toISOString(),
        impersonationsEnded,
      },
    },
    now,
  )
  return tenant
}

function deletable(tenant: Tenant) {
  if (tenant.protected) return refuse('protected')
  if (!DELETABLE.includes(tenant.status)) return refuse('already_deleted')
  return { ok: true as const }
}

async function takeBackup(
  backup: PreDeleteBackup,
  tenant: Tenant,
): Promise<{ ok: true; id: string | null } | { ok: false; detail: string }> {
  // A throw (pg_dump failing, a full disk) propagates: unexpected, and nothing was changed yet.
  const result = await backup(tenant)
  if (result.ok) return { ok: true, id: result.backup.id }
  if (result.reason === 'schema_missing') return { ok: true, id: null }
  return { ok: false, detail: result.reason.replace(/_/g, ' ') }
}
