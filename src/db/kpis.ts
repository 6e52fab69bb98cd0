import { sql, type RawBuilder } from 'kysely'
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

/** A count of one UTC day (`YYYY-MM-DD`). */
export type DayCount = { day: string; count: number }

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
  /**
   * Of those, the ones whose `last_login_at` is within ACTIVE_WITHIN_DAYS of `now`. Fleet-wide
   * counted up to USER_COUNT_CAP only (unless `exactUsers` was asked for): above it this is
   * USER_COUNT_CAP + 1, a lower bound, and `activeUsersExact` is false.
   */
  activeUsers: number
  /** False when `activeUsers` stopped at the cap (the page then shows the snapshot's count). */
  activeUsersExact: boolean
  /** Fleet: users created since midnight UTC; with a tenant: memberships created since then. */
  signupsToday: number
  /**
   * The same count for each of the `signupDays` UTC days ending today, oldest first, today last
   * (its count is `signupsToday`). Read from `created_at` at every call, so a day's number is
   * whole however late its signups came (the rows that exist now, as the list behind the tile).
   */
  signupsByDay: DayCount[]
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
  signups_by_day: Record<string, number> | string | null
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
 * as the users list does): an exact count of 1M users costs ~80 ms a page. Its active users are
 * counted up to USER_COUNT_CAP too (a bounded scan of `users_last_login_idx`; with high activity
 * an exact count reads hundreds of thousands of entries a page). `exactUsers` (the daily
 * snapshot) counts both exactly. Signups (fleet: `users.created_at`; tenant: its memberships')
 * are grouped by UTC day over the `signupDays` days ending today (default 1: today only). A
 * `tenantId` that is not a uuid counts nothing.
 * @throws RangeError when `signupDays` is not a whole number from 1 to 400
 */
export async function readKpis(
  db: Db,
  scope: TenantScope,
  now: Date,
  options: { exactUsers?: boolean; signupDays?: number } = {},
): Promise<Kpis> {
  const days = options.signupDays ?? 1
  if (!Number.isInteger(days) || days < 1 || days > 400)
    throw new RangeError(`signupDays must be 1–400, not ${days}`)
  const tenant = scope.tenantId
  const today = joinedSince('today', now)
  const firstDay = new Date(today.getTime() - (days - 1) * DAY_MS)
  if (tenant !== undefined && !isUuid(tenant))
    return { ...EMPTY, signupsByDay: dayCounts({}, firstDay, days) }
  const since = new Date(now.getTime() - ACTIVE_WITHIN_DAYS * DAY_MS)
  const counts = tenant
    ? tenantCounts(tenant, since, firstDay, now)
    : fleetCounts(since, firstDay, now, !!options.exactUsers)
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
  return toKpis(rows[0], firstDay, days, !tenant && !options.exactUsers)
}

const EMPTY: Omit<Kpis, 'signupsByDay'> = {
  activeTenants: 0,
  suspendedTenants: 0,
  users: 0,
  usersExact: true,
  activeUsers: 0,
  activeUsersExact: true,
  signupsToday: 0,
  pendingJoinRequests: 0,
  activeImpersonations: 0,
  storageBytes: 0,
}

// Signups per UTC day from `firstDay` on, as a JSON object day → count (days without any are
// absent): one range scan of the created_at index (users) or of the tenant's memberships.
const byUtcDay = (createdAt: RawBuilder<unknown>) =>
  sql`(${createdAt} at time zone 'UTC')::date::text`

function fleetCounts(since: Date, firstDay: Date, now: Date, exactUsers: boolean) {
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
    ${
      exactUsers
        ? sql`(select count(*) from users where last_login_at >= ${since})::int as active_users`
        : sql`(select count(*) from (select 1 from users where last_login_at >= ${since}
            limit ${USER_COUNT_CAP + 1}) capped)::int as active_users`
    },
    (select coalesce(jsonb_object_agg(day, n), '{}'::jsonb) from (
      select ${byUtcDay(sql`created_at`)} as day, count(*) as n from users
      where created_at >= ${firstDay} group by 1) d) as signups_by_day,
    (select count(*) from join_requests where status = 'pending')::int as pending_join_requests,
    (select count(*) from impersonations
      where ended_at is null and expires_at > ${now})::int as active_impersonations,
    (select coalesce(sum(s.db_bytes + s.file_bytes), 0)::float8 from storage_snapshots s
      join tenants t on t.id = s.tenant_id where t.status <> 'deleted') as storage_bytes,
    (select min(s.taken_at) from storage_snapshots s
      join tenants t on t.id = s.tenant_id where t.status <> 'deleted') as storage_taken_at`
}

function tenantCounts(tenant: string, since: Date, firstDay: Date, now: Date) {
  return sql`
    (select count(*) from tenants where id = ${tenant} and status = 'active')::int as active_tenants,
    (select count(*) from tenants
      where id = ${tenant} and status = 'suspended')::int as suspended_tenants,
    (select status from tenants where id = ${tenant}) as tenant_status,
    (select count(*) from memberships where tenant_id = ${tenant})::int as users,
    null::float8 as users_estimate,
    (select count(*) from memberships m join users u on u.id = m.user_id
      where m.tenant_id = ${tenant} and u.last_login_at >= ${since})::int as active_users,
    (select coalesce(jsonb_object_agg(day, n), '{}'::jsonb) from (
      select ${byUtcDay(sql`created_at`)} as day, count(*) as n from memberships
      where tenant_id = ${tenant} and created_at >= ${firstDay} group by 1) d) as signups_by_day,
    (select count(*) from join_requests
      where tenant_id = ${tenant} and status = 'pending')::int as pending_join_requests,
    (select count(*) from impersonations where tenant_id = ${tenant}
      and ended_at is null and expires_at > ${now})::int as active_impersonations,
    (select coalesce(sum(db_bytes + file_bytes), 0)::float8 from storage_snapshots
      where tenant_id = ${tenant}) as storage_bytes,
    (select min(taken_at) from storage_snapshots where tenant_id = ${tenant}) as storage_taken_at`
}

/** `days` day counts from `firstDay` (UTC midnight) on, 0 where `counts` has no entry. */
function dayCounts(counts: Record<string, unknown>, firstDay: Date, days: number): DayCount[] {
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(firstDay.getTime() + i * DAY_MS).toISOString().slice(0, 10)
    return { day, count: Number(counts[day] ?? 0) }
  })
}

function toKpis(row: KpiRow, firstDay: Date, days: number, activeCapped: boolean): Kpis {
  const date = (v: Date | string | null) => (v === null ? undefined : new Date(v))
  const hostAt = date(row.host_taken_at)
  const counted = Number(row.users)
  const usersExact = row.users_estimate === null || counted <= USER_COUNT_CAP
  const activeUsers = Number(row.active_users)
  const signupsByDay = dayCounts(jsonObject(row.signups_by_day), firstDay, days)
  return {
    activeTenants: Number(row.active_tenants),
    suspendedTenants: Number(row.suspended_tenants),
    tenantStatus: row.tenant_status ?? undefined,
    users: usersExact ? counted : Math.max(counted, Math.round(Number(row.users_estimate))),
    usersExact,
    activeUsers,
    activeUsersExact: !activeCapped || activeUsers <= USER_COUNT_CAP,
    signupsToday: signupsByDay[days - 1].count,
    signupsByDay,
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
