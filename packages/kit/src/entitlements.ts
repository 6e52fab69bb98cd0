import type { FlagValue, KitTenant, QuotaKind, Quotas, Usage } from './types.js'

/** What a tenant's plan allows, computed from the tenant alone (no call to Fleetdeck). */
export type Entitlements = {
  plan: { id: string; name: string }
  quotas: Quotas
  /** The tenant's usage as the snapshot gave it. */
  usage: Usage
  /**
   * Whether `adding` more of `kind` (default 1) fit: the limit is null (unlimited) or
   * `current + adding <= limit`. Seed 002: a tightened quota blocks new additions, while data
   * already over the new limit keeps working, so this is asked only before adding, never to
   * take away what exists. `current` defaults to the snapshot's usage (`members`, `storage`,
   * `api_calls_per_day` → `api_calls_today`); `custom_domains` has no usage in the snapshot, so
   * give `current` for it.
   * @throws TypeError for `custom_domains` without `current`
   */
  canAdd(kind: QuotaKind, current?: number, adding?: number): boolean
  /** How many more of `kind` fit (0 when already at or over the limit), or null when unlimited. */
  remaining(kind: QuotaKind, current?: number): number | null
  /** Whether the boolean flag `key` is on for this tenant; false for an unknown or string flag. */
  isEnabled(key: string): boolean
  /**
   * The value of flag `key` as a variant name: a string flag's variant, `on`/`off` for a
   * boolean flag (the names OFREP gives them), undefined for an unknown flag.
   */
  variant(key: string): string | undefined
}

type Snapshot = Pick<KitTenant, 'plan' | 'quotas'> & Partial<Pick<KitTenant, 'flags' | 'usage'>>

const NO_USAGE: Usage = { members: 0, storage: 0, api_calls_today: 0 }

/**
 * The entitlements of `tenant` (plan, quotas — `members` people, `storage` bytes,
 * `custom_domains`, `api_calls_per_day` — flags and usage), with seed 002's semantics. Pure.
 */
export function entitlementsOf(tenant: Snapshot): Entitlements {
  const { plan, quotas } = tenant
  const flags: Record<string, FlagValue> = tenant.flags ?? {}
  const usage = tenant.usage ?? NO_USAGE
  const used = (kind: QuotaKind, current: number | undefined): number => {
    if (current !== undefined) return current
    if (kind === 'members') return usage.members
    if (kind === 'storage') return usage.storage
    if (kind === 'api_calls_per_day') return usage.api_calls_today
    throw new TypeError(`The snapshot has no usage of ${kind}: give the current count.`)
  }
  return {
    plan,
    quotas,
    usage,
    canAdd(kind, current, adding = 1) {
      const limit = quotas[kind]
      return limit === null || used(kind, current) + adding <= limit
    },
    remaining(kind, current) {
      const limit = quotas[kind]
      return limit === null ? null : Math.max(0, limit - used(kind, current))
    },
    isEnabled: (key) => Object.hasOwn(flags, key) && flags[key] === true,
    variant(key) {
      if (!Object.hasOwn(flags, key)) return undefined
      const value = flags[key]
      return typeof value === 'boolean' ? (value ? 'on' : 'off') : value
    },
  }
}
