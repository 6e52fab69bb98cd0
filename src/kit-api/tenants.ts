import { Hono } from 'hono'
import { z } from 'zod'
import { addApiCalls, findApiCallsOn } from '../db/api-usage.js'
import { resolveTenantFlags } from '../db/flags.js'
import type { FlagValue } from '../db/schema.js'
import { findTenantEntitlements, type TenantEntitlements } from '../db/tenant-entitlements.js'
import { countMembers, findStorage, findTenantBySlug } from '../db/tenants.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'
import { readJson, revalidatableJson } from './http.js'

/**
 * Mounted at `/kit/v1/tenants`: a tenant, its plan, quotas, resolved flags and usage
 * (PROTOCOL.md "Tenants"). A deleted tenant still answers, with its status: the kit turns it into
 * a 404 page of its own.
 */
export const kitTenantRoutes = new Hono<KitEnv>()

/** Most calls one report may add: an app reports in batches, not a day's worth at once. */
export const MAX_API_CALLS_PER_REPORT = 1_000_000

const apiUsageBody = z.object({
  calls: z
    .number({ error: 'Give calls as a whole number.' })
    .int({ error: 'Give calls as a whole number.' })
    .min(1, { error: 'Report at least 1 call.' })
    .max(MAX_API_CALLS_PER_REPORT, { error: `Report at most ${MAX_API_CALLS_PER_REPORT} calls.` }),
})

const tenantNotFound = () =>
  new KitRefusal(404, 'tenant_not_found', 'There is no tenant with this slug.')

kitTenantRoutes.get('/:slug', async (c) => {
  const db = c.var.db
  const tenant = await findTenantEntitlements(db, c.req.param('slug'))
  if (!tenant) throw tenantNotFound()
  const [flags, members, storage, apiCalls] = await Promise.all([
    resolveTenantFlags(db, { id: tenant.id, planId: tenant.plan.id }),
    countMembers(db, [tenant.id]),
    findStorage(db, tenant.id),
    findApiCallsOn(db, tenant.id, c.var.now()),
  ])
  const usage = {
    members: members.get(tenant.id) ?? 0,
    storage: storage ? storage.dbBytes + storage.fileBytes : 0,
    api_calls_today: apiCalls,
  }
  const values: Record<string, FlagValue> = {}
  // Archived flags too, at their default: what OFREP answers (DISABLED), so both paths agree.
  for (const f of flags) values[f.flag.key] = f.resolution.value
  return revalidatableJson(c, { tenant: { ...tenantView(tenant), flags: values, usage } })
})

kitTenantRoutes.post('/:slug/api-usage', async (c) => {
  const { calls } = await readJson(c, apiUsageBody)
  const tenant = await findTenantBySlug(c.var.db, c.req.param('slug'))
  if (!tenant) throw tenantNotFound()
  if (tenant.status === 'deleted') {
    throw new KitRefusal(403, 'tenant_unavailable', 'The tenant is deleted: it records no usage.')
  }
  const now = c.var.now()
  const today = await addApiCalls(c.var.db, tenant.id, calls, now)
  return c.json({ day: now.toISOString().slice(0, 10), api_calls_today: today })
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
