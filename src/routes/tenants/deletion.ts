import type { Context } from 'hono'
import type { Tenant } from '../../db/tenants.js'
import { createTenantBackup } from '../../fleet/backups.js'
import { deleteTenant } from '../../tenancy/deletion.js'
import { formatDateTime } from '../../views/format.js'
import type { AppEnv } from '../../web/env.js'
import { auditContext } from '../../web/request.js'

/**
 * The console's delete (DELETE /tenants/:id, after the slug was typed and step-up passed): the
 * pre_delete backup through src/fleet/backups.ts, then the grace-period delete (issue 11 item 6).
 * @returns the message for the operator: the flash on success, the field error on a refusal
 */
export async function deleteTenantFromConsole(
  c: Context<AppEnv>,
  tenant: Tenant,
): Promise<{ ok: boolean; message: string; conflict?: boolean }> {
  const { config, database } = c.var.deps
  const context = auditContext(c)
  const now = c.var.now()
  const result = await deleteTenant(c.var.db, context, tenant.id, {
    graceDays: config.purgeGraceDays,
    now,
    backup: (t) => createTenantBackup(database, config, context, t.id, 'pre_delete', { now }),
  })
  if (result.ok) {
    const kept = `kept until ${formatDateTime(result.tenant.purgeAfter)}, then purged; restore it from its page until then`
    const backup = result.backupId ? 'backed up and deleted' : 'deleted (no schema to back up)'
    return { ok: true, message: `Tenant ${tenant.slug} ${backup}: ${kept}.` }
  }
  const messages = {
    tenant_not_found: 'No such tenant.',
    already_deleted: 'This tenant is already deleted.',
    protected: `${tenant.slug} is protected: an owner must unprotect it before it can be deleted.`,
    backup_failed: `The backup before deletion failed (${result.reason === 'backup_failed' ? result.detail : ''}); nothing was deleted.`,
  }
  // A tenant deleted meanwhile has no form to show the error next to.
  const conflict = result.reason === 'already_deleted' || result.reason === 'tenant_not_found'
  return { ok: false, message: messages[result.reason], conflict }
}
