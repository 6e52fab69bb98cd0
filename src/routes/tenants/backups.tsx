import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { roleCan } from '../../auth/permissions.js'
import { listBackupsOfTenant } from '../../db/backup-overview.js'
import { findTenantBackup, type TenantBackup } from '../../db/tenant-backups.js'
import { findTenantById, type Tenant } from '../../db/tenants.js'
import { describeBackupReadRefusal } from '../../fleet/backup-file.js'
import { createTenantBackup } from '../../fleet/backups.js'
import { restoreBlocker, restoreTenantBackup } from '../../fleet/restore.js'
import { formatBytes, formatDateTime } from '../../views/format.js'
import { BackupRestorePage } from '../../views/tenants/backup-restore-page.js'
import type { TenantBackupsProps } from '../../views/tenants/tenant-backups.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// /tenants/:id/backups (issue 11 item 5). Back up now: saas.fleet.run, like every fleet job.
// Restore into this tenant: saas.tenants.delete (owner, admin) with step-up — it replaces the
// tenant's data as surely as deleting it would, so it takes the same permission as deletion.

export const tenantBackupRoutes = new Hono<AppEnv>()

async function tenantOr404(c: Context<AppEnv>): Promise<Tenant> {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  return tenant
}

async function backupOr404(c: Context<AppEnv>, tenant: Tenant): Promise<TenantBackup> {
  const backup = await findTenantBackup(c.var.db, c.req.param('backupId') ?? '')
  if (!backup || backup.tenantId !== tenant.id)
    throw new HTTPException(404, { message: 'No such backup of this tenant.' })
  return backup
}

tenantBackupRoutes.post('/', requirePermission('saas.fleet.run'), async (c) => {
  const tenant = await tenantOr404(c)
  const { database, config } = c.var.deps
  const context = auditContext(c)
  const result = await createTenantBackup(database, config, context, tenant.id, 'manual', {
    now: c.var.now(),
  })
  if (!result.ok && result.reason === 'tenant_deleted') {
    // Review finding 4: a deleted tenant's data is on its way out; no new copy of it is made.
    const text = `${tenant.slug} is deleted: no backup was taken (its pre-delete backup is kept until the purge).`
    throw new HTTPException(409, { message: text })
  }
  await setFlash(
    c,
    result.ok
      ? {
          kind: 'success',
          text: `Backed up ${tenant.slug}: ${formatBytes(result.backup.sizeBytes)}, checksum ${result.backup.sha256.slice(0, 12)}.`,
        }
      : { kind: 'error', text: backupRefusalText(tenant.slug, result.reason) },
  )
  return redirectTo(c, `/tenants/${tenant.id}#backups`)
})

tenantBackupRoutes.get(
  '/:backupId/restoration',
  requirePermission('saas.tenants.delete'),
  async (c) => {
    const tenant = await tenantOr404(c)
    const backup = await backupOr404(c, tenant)
    const blocker = restoreBlocker(tenant, c.var.now())
    return c.render(<BackupRestorePage tenant={tenant} backup={backup} blocker={blocker} />, {
      title: `Restore ${tenant.slug}`,
    })
  },
)

tenantBackupRoutes.post(
  '/:backupId/restoration',
  requirePermission('saas.tenants.delete'),
  requireRecentTotp,
  async (c) => {
    const tenant = await tenantOr404(c)
    const backup = await backupOr404(c, tenant)
    const { confirmSlug = '' } = await formFields(c)
    const { database, config } = c.var.deps
    const input = { tenantId: tenant.id, backupId: backup.id, typedSlug: confirmSlug }
    const result = await restoreTenantBackup(database, config, auditContext(c), input, c.var.now())
    if (!result.ok && result.reason === 'slug_mismatch') {
      c.status(422)
      const error = `Type ${tenant.slug} exactly to restore this tenant.`
      return c.render(
        <BackupRestorePage tenant={tenant} backup={backup} blocker={undefined} error={error} />,
        { title: `Restore ${tenant.slug}` },
      )
    }
    await setFlash(c, restoreFlash(tenant, result))
    return redirectTo(c, `/tenants/${tenant.id}#backups`)
  },
)

/** The warning after a restore whose Citus distribute failed (issue 13 item 3). */
const NOT_DISTRIBUTED =
  'Warning: the restored schema is local on the Citus coordinator: fleet health lists it and Repair distributes it'

function restoreFlash(tenant: Tenant, result: Awaited<ReturnType<typeof restoreTenantBackup>>) {
  if (result.ok)
    return {
      kind: 'success' as const,
      text:
        `Restored ${tenant.slug} from the backup of ${formatDateTime(result.backup.createdAt)}; the previous contents are kept as a “Before a restore” backup.` +
        (result.distributed ? '' : ` ${NOT_DISTRIBUTED} (${result.error}).`),
    }
  const why =
    result.reason === 'not_restorable' || result.reason === 'tenant_changed'
      ? `it is ${tenant.status}; only a suspended tenant, or a deleted one within its grace period, can be restored.`
      : result.reason === 'backup_not_found' || result.reason === 'slug_mismatch'
        ? 'that backup no longer exists.'
        : result.reason === 'pre_restore_failed'
          ? 'its current contents could not be backed up first, and a restore never replaces data without that copy.'
          : describeBackupReadRefusal(result.reason)
  return {
    kind: 'error' as const,
    text: `${tenant.slug} was not restored, nothing changed: ${why}`,
  }
}

/** The tenant page's Backups section props (its loader adds this one line). */
export async function tenantBackupsSection(
  c: Context<AppEnv>,
  tenant: Tenant,
): Promise<TenantBackupsProps> {
  const role = c.var.operator.role
  return {
    tenantId: tenant.id,
    slug: tenant.slug,
    backups: await listBackupsOfTenant(c.var.db, tenant.id),
    canBackUp: roleCan(role, 'saas.fleet.run') && tenant.status !== 'deleted',
    canRestore: roleCan(role, 'saas.tenants.delete'),
    restoreBlocker: restoreBlocker(tenant, c.var.now()),
    now: c.var.now(),
  }
}

function backupRefusalText(slug: string, reason: string): string {
  if (reason === 'unsafe_dump_text')
    return `${slug} was not backed up: a name, function body or comment in its schema holds a line break followed by a backslash, which the embedded database's dump cannot keep intact. Rename it, then back up again.`
  return `${slug} has no schema to back up; repair it on the fleet page first.`
}
