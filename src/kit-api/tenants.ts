import { Hono } from 'hono'
import { findTenantEntitlements, type TenantEntitlements } from '../db/tenant-entitlements.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'
import { revalidatableJson } from './http.js'

/**
 * Mounted at `/kit/v1/tenants`: a tenant, its plan and quotas (PROTOCOL.md "Tenants"). A deleted
 * tenant still answers, with its status: the kit turns it into a 404 page of its own.
 */
export const kitTenantRoutes = new Hono<KitEnv>()

kitTenantRoutes.get('/:slug', async (c) => {
  const tenant = await findTenantEntitlements(c.var.db, c.req.param('slug'))
  if (!tenant) throw new KitRefusal(404, 'tenant_not_found', 'There is no tenant with this slug.')
  return revalidatableJson(c, { tenant: tenantView(tenant) })
})

/** The protocol's `tenant`: quotas in bytes and counts, null where the plan has no limit. */
function tenantView(t: TenantEntitlements) {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    status: t.status,
    plan: t.plan,
    quotas: {
      members: t.quotas.members,
      storage: t.quotas.storageBytes,
      custom_domains: t.quotas.customDomains,
      api_calls_per_day: t.quotas.apiCallsPerDay,
    },
    planChangedAt: t.planChangedAt,
    suspendedAt: t.suspendedAt,
  }
}
