import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { findTenantById } from '../../db/tenants.js'
import { undeleteTenant } from '../../tenancy/undelete.js'
import { formatDateTime } from '../../views/format.js'
import { RestoreConfirmPage } from '../../views/tenants/restore-confirm.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission } from '../../web/guards.js'
import { auditContext, redirectTo } from '../../web/request.js'

// Restore from deletion (issue 11 item 6): GET …/new asks, POST restores within the grace
// period. Mounted at /tenants/:id/restoration in src/app.tsx; saas.tenants.delete, the
// permission that deleted it.

export const tenantRestorationRoutes = new Hono<AppEnv>()

async function tenantOr404(c: Context<AppEnv>) {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  return tenant
}

tenantRestorationRoutes.get('/new', requirePermission('saas.tenants.delete'), async (c) => {
  const tenant = await tenantOr404(c)
  if (tenant.status !== 'deleted' || !tenant.purgeAfter || tenant.purgeAfter <= c.var.now())
    return redirectTo(c, `/tenants/${tenant.id}`)
  return c.render(<RestoreConfirmPage tenant={tenant} />, { title: `Restore ${tenant.name}` })
})

tenantRestorationRoutes.post('/', requirePermission('saas.tenants.delete'), async (c) => {
  const tenant = await tenantOr404(c)
  const result = await undeleteTenant(c.var.db, auditContext(c), tenant.id, c.var.now())
  if (result.ok) {
    await setFlash(c, {
      kind: 'success',
      text: `Tenant ${tenant.slug} restored as suspended: activate it to let its users back in.`,
    })
    return redirectTo(c, `/tenants/${tenant.id}`)
  }
  const text = {
    tenant_not_found: 'No such tenant.',
    not_deleted: `${tenant.slug} is not deleted; there is nothing to restore.`,
    purge_due: `The purge of ${tenant.slug} is due; it can no longer be restored.`,
    purged:
      result.reason === 'purged' && result.purgedAt
        ? `${tenant.slug} was purged on ${formatDateTime(result.purgedAt)}; it can no longer be restored.`
        : `${tenant.slug} was purged; it can no longer be restored.`,
  }[result.reason]
  await setFlash(c, { kind: 'error', text })
  return redirectTo(c, `/tenants/${tenant.id}`)
})
