import { sql } from 'kysely'
import type { Db } from './database.js'
import type { TenantStatus } from './schema.js'
import type { TenantScope } from './tenant-scope.js'
import { isUuid } from './tenants.js'
import { joinedSince, USER_COUNT_CAP } from './users.js'

// The dashboard's live numbers (issue 10 item 2), read from `public` tables only, in ONE
// statement whatever the fleet's size: every tile is a scalar subquery on an index or a count,
// never a query per tenant (DESIGN.md §3). The definitions match the lists the tiles link to.

const DAY_MS = 24 * 3600_000

/** "Active" users and members: a sign-in (users.last_login_at) within this many days. */
export const ACTIVE_WITHIN_DAYS = 30

/** The host metrics of one health sample (keys in the lead's shared names; 0–100, or null). */
export type HostMetrics = {
  takenAt: Date
  cpuPercent: number | null
  memoryPercent: number | null
  diskPercent: number | null
  diskUsedBytes: number | null
  diskSizeBytes: number | null
}

/** The numbers of the fleet, or (`scope.tenantId`) of one tenant, at `now`. */
export type Kpis = {
  /** Fleet: tenants with status `active`; with a tenant: 1 when it is active, else 0. */
  activeTenants: number
  /** Fleet: tenants with status `suspended`; with a tenant: 1 when it is suspended, else 0. */
  suspendedTenants: number
  /** The scoped tenant's status; undefined for the fleet (or a tenant that does not exist). */
  tenantStatus?: TenantStatus
  /**
   * Fleet: every row of `users` (invited, active, disabled); with a tenant: its memberships.
   * Above USER_COUNT_CAP fleet users, the planner's estimate unless `exactUsers` was asked for.
   */
  users: number
  /** False when `users` is the planner's estimate (the users list then says "about" too). */
  usersExact: boolean
  /** Of those, the ones whose `last_login_at` is within ACTIVE_WITHIN_DAYS of `now`. */
  activeUsers: number
  /** Fleet: users created since midnight UTC; with a tenant: memberships created since then. */
  signupsToday: number
  /** Join requests with status `pending` (of the tenant, when scoped). */
  pendingJoinRequests: number
  /** Impersonations not ended and not expired at `now` (of the tenant, when scoped). */
  activeImpersonations: number
  /** DB + file bytes of the latest storage snapshots of tenants that are not deleted. */
  storageBytes: number
  /** When the oldest of those snapshots was taken; undefined when none was taken yet. */
  storageTakenAt?: Date
  /** The latest health sample's host metrics (cluster-wide, whatever the scope), if any. */
  host?: HostMetrics
}

type KpiRow = {
  active_tenants: number
  suspended_tenants: number
  tenant_status: TenantStatus | null
  users: number
  users_estimate: number | null
  active_users: number
  signups_today: number
  pending_join_requests: number
  active_impersonations: number
  storage_bytes: number
  storage_taken_at: Date | string | null
  host_taken_at: Date | string | null
  host_metrics: Record<string, number | null> | string | null
}

/**
 * Every live KPI of the dashboard for `scope` at `now`, in one statement (one round trip; the
 * counts are index scans of `tenants_status_idx`, `users_last_login_idx`, `users_created_idx`,
 * `join_requests_status_idx`, `impersonations_open_expiry_idx` and the memberships key). The
 * fleet's user total is counted up to USER_COUNT_CAP and estimated beyond (`pg_class.reltuples`,
 * as the users list does): an exact count of 1M users costs ~80 ms a page. `exactUsers` (the
 * daily snapshot) always counts. A `tenantId` that is not a uuid counts nothing.
 */
export async function readKpis(
  db: Db,
  scope: TenantScope,
  now: Date,
  options: { exactUsers?: boolean } = {},
): Promise<Kpis> {
  const tenant = scope.tenantId
  if (tenant !== undefined && !isUuid(tenant)) return EMPTY
  const since = new Date(now.getTime() - ACTIVE_WITHIN_DAYS * DAY_MS)
  const today = joinedSince('today', now)
  const counts = tenant
    ? tenantCounts(tenant, since, today, now)
    : fleetCounts(since, today, now, !!options.exactUsers)
  const { rows } = await sql<KpiRow>`select ${counts},
      h.taken_at as host_taken_at, h.metrics as host_metrics
    from (select 1) one
    left join lateral (
      select taken_at, metrics from (
        (select taken_at, metrics from health_samples where resolution_seconds = 10
          order by taken_at desc limit 1)
        union all
        (select taken_at, metrics from health_samples where resolution_seconds <> 10
          order by taken_at desc limit 1)) latest
      order by taken_at desc limit 1) h on true`.execute(db)
  return toKpis(rows[0])
}

const EMPTY: Kpis = {
  activeTenants: 0,
  suspendedTenants: 0,
  users: 0,
  usersExact: true,
  activeUsers: 0,
  signupsToday: 0,
  pendingJoinRequests: 0,
  activeImpersonations: 0,
  storageBytes: 0,
}

function fleetCounts(since: Date, today: Date, now: Date, exactUsers: boolean) {
  const users = exactUsers
    ? sql`(select count(*) from users)::int as users, null::float8 as users_estimate`
    : sql`(select count(*) from (select 1 from users limit ${USER_COUNT_CAP + 1}) capped)::int
        as users,
      (select reltuples from pg_class where oid = 'public.users'::regclass)::float8
        as users_estimate`
  return sql`
    (select count(*) from tenants where status = 'active')::int as active_tenants,
    (select count(*) from tenants where status = 'suspended')::int as suspended_tenants,
    null::text as tenant_status,
    ${users},
    (select count(*) from users where last_login_at >= ${since})::int as active_users,
    (select count(*) from users where created_at >= ${today})::int as signups_today,
    (select count(*) from join_requests where status = 'pending')::int as pending_join_requests,
    (select count(*) from impersonations
      where ended_at is null and expires_at > ${now})::int as active_impersonations,
    (select coalesce(sum(s.db_bytes + s.file_bytes), 0)::float8 from storage_snapshots s
      join tenants t on t.id = s.tenant_id where t.status <> 'deleted') as storage_bytes,
    (select min(s.taken_at) from storage_snapshots s
      join tenants t on t.id = s.tenant_id where t.status <> 'deleted') as storage_taken_at`
}

function tenantCounts(tenant: string, since: Date, today: Date, now: Date) {
  return sql`
    (select count(*) from tenants where id = ${tenant} and status = 'active')::int as active_tenants,
    (select count(*) from tenants
      where id = ${tenant} and status = 'suspended')::int as suspended_tenants,
    (select status from tenants where id = ${tenant}) as tenant_status,
    (select count(*) from memberships where tenant_id = ${tenant})::int as users,
    null::float8 as users_estimate,
    (select count(*) from memberships m join users u on u.id = m.user_id
      where m.tenant_id = ${tenant} and u.last_login_at >= ${since})::int as active_users,
    (select count(*) from memberships
      where tenant_id = ${tenant} and created_at >= ${today})::int as signups_today,
    (select count(*) from join_requests
      where tenant_id = ${tenant} and status = 'pending')::int as pending_join_requests,
    (select count(*) from impersonations where tenant_id = ${tenant}
      and ended_at is null and expires_at > ${now})::int as active_impersonations,
    (select coalesce(sum(db_bytes + file_bytes), 0)::float8 from storage_snapshots
      where tenant_id = ${tenant}) as storage_bytes,
    (select min(taken_at) from storage_snapshots where tenant_id = ${tenant}) as storage_taken_at`
}

function toKpis(row: KpiRow): Kpis {
  const date = (v: Date | string | null) => (v === null ? undefined : new Date(v))
  const hostAt = date(row.host_taken_at)
  const counted = Number(row.users)
  const usersExact = row.users_estimate === null || counted <= USER_COUNT_CAP
  return {
    activeTenants: Number(row.active_tenants),
    suspendedTenants: Number(row.suspended_tenants),
    tenantStatus: row.tenant_status ?? undefined,
    users: usersExact ? counted : Math.max(counted, Math.round(Number(row.users_estimate))),
    usersExact,
    activeUsers: Number(row.active_users),
    signupsToday: Number(row.signups_today),
    pendingJoinRequests: Number(row.pending_join_requests),
    activeImpersonations: Number(row.active_impersonations),
    storageBytes: Number(row.storage_bytes),
    storageTakenAt: date(row.storage_taken_at),
    host: hostAt && hostMetrics(hostAt, jsonObject(row.host_metrics)),
  }
}

/** A jsonb value as an object: node-postgres parses it, some adapters hand over the text. */
export function jsonObject(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? JSON.parse(value) : value
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
}

/** A finite number, or null for anything else (a missing key, null, a string). */
export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function hostMetrics(takenAt: Date, m: Record<string, unknown>): HostMetrics {
  return {
    takenAt,
    cpuPercent: numberOrNull(m['host.cpu_percent']),
    memoryPercent: numberOrNull(m['host.memory_percent']),
    diskPercent: numberOrNull(m['host.disk_percent']),
    diskUsedBytes: numberOrNull(m['host.disk_used_bytes']),
    diskSizeBytes: numberOrNull(m['host.disk_size_bytes']),
  }
}
