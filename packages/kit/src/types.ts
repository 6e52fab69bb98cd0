// The shapes the kit API answers with (PROTOCOL.md), as the kit hands them to a tenant app.

/** Where a tenant is in its life (PROTOCOL.md, Tenants). */
export type TenantStatus = 'provisioning' | 'active' | 'suspended' | 'failed' | 'deleted'

/**
 * The plan's limits: `members` (people), `storage` (bytes), `custom_domains`, `api_calls_per_day`
 * (calls per UTC day); null = unlimited.
 */
export type Quotas = {
  members: number | null
  storage: number | null
  custom_domains: number | null
  api_calls_per_day: number | null
}

/** One of the limits a plan sets. */
export type QuotaKind = keyof Quotas

/** A tenant as `GET /kit/v1/tenants/:slug` describes it; timestamps are ISO 8601 strings in UTC. */
export type KitTenant = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  plan: { id: string; name: string }
  quotas: Quotas
  planChangedAt: string | null
  suspendedAt: string | null
  /** Every live flag resolved for this tenant: a boolean, or the variant of a string flag. */
  flags: Record<string, FlagValue>
  /** What the tenant uses now, to check against `quotas`. */
  usage: Usage
}

/** A flag's value: a boolean flag's on/off, or the variant of a string flag. */
export type FlagValue = boolean | string

/**
 * What a tenant uses, in the units of its quotas: `members` (memberships), `storage` (bytes, from
 * Fleetdeck's latest storage snapshot), `api_calls_today` (calls recorded for the current UTC day).
 */
export type Usage = { members: number; storage: number; api_calls_today: number }

/** A tenant user's membership as the kit API describes it. */
export type KitMember = {
  userId: string
  email: string
  name: string
  status: 'invited' | 'active' | 'disabled'
  role: 'owner' | 'admin' | 'member'
}

/**
 * An impersonation session, exactly the view of PROTOCOL.md. `secondsLeft` is computed by
 * Fleetdeck when it answered (0 once not active); timestamps are ISO 8601 strings in UTC.
 */
export type Impersonation = {
  id: string
  status: 'active' | 'ended' | 'expired'
  mode: 'read_only' | 'read_write'
  tenant: { id: string; slug: string; name: string }
  user: { id: string; email: string; name: string }
  operator: { id: string; email: string }
  reason: string
  ticket: string | null
  startedAt: string
  expiresAt: string
  endedAt: string | null
  endReason: 'ended' | 'expired' | 'ended_in_app' | 'tenant_unavailable' | null
  secondsLeft: number
}
