import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { findTenantById } from '../../db/tenants.js'
import { setTenantProtection } from '../../tenancy/protection.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission } from '../../web/guards.js'
import { auditContext, redirectTo } from '../../web/request.js'

// Protection (issue 11 item 6): POST protects, DELETE unprotects. Mounted at
// /tenants/:id/protection in src/app.tsx. Owners only: saas.tenants.delete (which admins hold
// too) and then the owner role, so no new permission exists for two routes; the authorization
// matrix lists both as OWNERS.

export const tenantProtectionRoutes = new Hono<AppEnv>()

/** Protection outlasts any admin's wish to delete: only an owner may set or clear it. */
export function requireOwner(c: Context<AppEnv>): void {
  if (c.var.operator.role !== 'owner')
    throw new HTTPException(403, { message: 'Only an owner may protect or unprotect a tenant.' })
}

async function change(c: Context<AppEnv>, value: boolean) {
  requireOwner(c)
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  const result = await setTenantProtection(c.var.db, auditContext(c), tenant.id, value, c.var.now())
  const verb = value ? 'protected' : 'unprotected'
  const text = result.ok
    ? `Tenant ${tenant.slug} ${verb}.${value ? ' It cannot be deleted until an owner unprotects it.' : ''}`
    : result.reason === 'unchanged'
      ? `${tenant.slug} was already ${verb}; nothing changed.`
      : result.reason === 'purged'
        ? `${tenant.slug} is purged; there is nothing left to protect.`
        : 'No such tenant.'
  await setFlash(c, { kind: result.ok ? 'success' : 'error', text })
  return redirectTo(c, `/tenants/${tenant.id}`)
}

tenantProtectionRoutes.post('/', requirePermission('saas.tenants.delete'), (c) => change(c, true))
tenantProtectionRoutes.delete('/', requirePermission('saas.tenants.delete'), (c) =>
  change(c, false),
)
