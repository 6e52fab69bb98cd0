import { conditionalGet, type Cache } from './cache.js'
import { KitError, pathSegment, type Client } from './client.js'
import type { KitTenant } from './types.js'

// Resolving the tenant of a request (PROTOCOL.md "What the tenant app must do" 1): suspended
// tenants are refused with 403, unknown, deleted and not-yet-usable ones with 404.

/** The answer for a slug: the tenant when it is usable, else why not and the status to send. */
export type TenantResolution =
  | { ok: true; tenant: KitTenant }
  | {
      ok: false
      status: 403 | 404
      reason: 'suspended' | 'not_found' | 'deleted' | 'unavailable'
      tenant?: KitTenant
    }

/** What the cache holds per slug: the tenant, or the fact that Fleetdeck knows no such slug. */
export type HeldTenant = KitTenant | null

/**
 * Resolves `slug` through `GET /kit/v1/tenants/:slug`, held at most the cache's TTL (≤ 5 s) and
 * revalidated with If-None-Match. An unknown slug is held as unknown for as long.
 * - `active` → ok; `suspended` → 403 `suspended`; `deleted` → 404 `deleted`; `provisioning`,
 *   `failed` or a status this kit does not know → 404 `unavailable`; no such tenant → 404 `not_found`.
 * @throws KitError when Fleetdeck refuses the call otherwise (401 bad app key, 429, 5xx, unreachable)
 */
export async function resolveTenant(
  client: Client,
  cache: Cache<HeldTenant>,
  slug: string,
): Promise<TenantResolution> {
  const { value: tenant } = await cache.get(`tenant:${slug}`, async (held) => {
    try {
      return await conditionalGet(
        (headers) => client.call('GET', `/kit/v1/tenants/${pathSegment(slug)}`, { headers }),
        held,
        (body) => (body as { tenant: KitTenant }).tenant,
      )
    } catch (error) {
      if (error instanceof KitError && error.code === 'tenant_not_found') return { value: null }
      throw error
    }
  })
  return resolution(tenant)
}

/** The refusal rules of PROTOCOL.md (Tenants) applied to what Fleetdeck answered. */
export function resolution(tenant: HeldTenant): TenantResolution {
  if (!tenant) return { ok: false, status: 404, reason: 'not_found' }
  switch (tenant.status) {
    case 'active':
      return { ok: true, tenant }
    case 'suspended':
      return { ok: false, status: 403, reason: 'suspended', tenant }
    case 'deleted':
      return { ok: false, status: 404, reason: 'deleted', tenant }
    default:
      return { ok: false, status: 404, reason: 'unavailable', tenant }
  }
}
