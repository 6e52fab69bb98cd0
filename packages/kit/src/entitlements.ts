import type { KitTenant, QuotaKind, Quotas } from './types.js'

/** What a tenant's plan allows, computed from the tenant alone (no call to Fleetdeck). */
export type Entitlements = {
  plan: { id: string; name: string }
  quotas: Quotas
  /**
   * Whether `adding` more of `kind` (default 1) fit: the limit is null (unlimited) or
   * `current + adding <= limit`. Seed 002: a tightened quota blocks new additions, while data
   * already over the new limit keeps working, so this is asked only before adding, never to
   * take away what exists.
   */
  canAdd(kind: QuotaKind, current: number, adding?: number): boolean
  /** How many more of `kind` fit (0 when already at or over the limit), or null when unlimited. */
  remaining(kind: QuotaKind, current: number): number | null
}

/**
 * The entitlements of `tenant` (plan and quotas: `members` people, `storage` bytes,
 * `custom_domains`), with seed 002's semantics. Pure.
 */
export function entitlementsOf(tenant: Pick<KitTenant, 'plan' | 'quotas'>): Entitlements {
  const { plan, quotas } = tenant
  return {
    plan,
    quotas,
    canAdd(kind, current, adding = 1) {
      const limit = quotas[kind]
      return limit === null || current + adding <= limit
    },
    remaining(kind, current) {
      const limit = quotas[kind]
      return limit === null ? null : Math.max(0, limit - current)
    },
  }
}
