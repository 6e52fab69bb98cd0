import { sql } from 'kysely'
import type { Db } from './database.js'
import { ACTIVE_WITHIN_DAYS, jsonObject, numberOrNull } from './kpis.js'
import type { TenantScope } from './tenant-scope.js'
import { isUuid } from './tenants.js'

// kpi_daily (migration 2026120300): one row per UTC day for the fleet (tenant_id null) and one
// per tenant, each a JSON object of named numbers. They hold point-in-time counters only (how
// many tenants are active, users exist, requests wait…): the dashboard's snapshot tasks rewrite
// today's rows at every run, so a day's value is the day's last observation. Day-bounded
// counters (signups, new members) are not stored: a run at 23:45 cannot see the signups of
// 23:45–24:00, so the page counts them per day from `created_at` itself (src/db/kpis.ts).
// Rows written before that change may still hold a `signupsToday` key; nothing reads it.

const DAY_MS = 24 * 3600_000

/** How long daily rows are kept (issue 10 item 2: a 30-day trend, with room for a year's view). */
export const KPI_DAILY_KEEP_DAYS = 400

/** The keys of a fleet row (`kpis`), as the snapshot writes them. */
export const FLEET_KPI_KEYS = [
  'activeTenants',
  'suspendedTenants',
  'users',
  'activeUsers',
  'pendingJoinRequests',
  'activeImpersonations',
  'storageBytes',
  'hostCpuPercent',
  'hostMemoryPercent',
  'hostDiskPercent',
] as const

/** The keys of a tenant's row: its members, activity, requests, impersonations, storage. */
export const TENANT_KPI_KEYS = [
  'users',
  'activeUsers',
  'pendingJoinRequests',
  'activeImpersonations',
  'storageBytes',
] as const

export type KpiKey = (typeof FLEET_KPI_KEYS)[number]

/**
 * One stored day: `day` is `YYYY-MM-DD` (UTC); a key missing that day is absent from `kpis`;
 * `takenAt` (always set by readKpiHistory) is when the run that wrote it observed the numbers.
 */
export type KpiDay = { day: string; kpis: Partial<Record<KpiKey, number>>; takenAt?: Date }

/** `YYYY-MM-DD` of `at` in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10)
}

/** The UTC day `days` after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS))
}

/**
 * Writes the fleet's row of `day` (tenant_id null), replacing one written before that day; keys
 * whose value is null are left out of the row.
 */
export async function upsertFleetDay(
  db: Db,
  day: string,
  kpis: Partial<Record<KpiKey, number | null>>,
  takenAt: Date,
): Promise<void> {
  const known = Object.fromEntries(Object.entries(kpis).filter(([, v]) => v !== null))
  await sql`insert into kpi_daily (day, tenant_id, kpis, taken_at)
    values (${day}::date, null, ${JSON.stringify(known)}::jsonb, ${takenAt})
    on conflict on constraint kpi_daily_day_tenant_key
    do update set kpis = excluded.kpis, taken_at = excluded.taken_at`.execute(db)
}

/**
 * Writes every tenant's row of `day` in ONE statement (grouped counts joined to `tenants`, no
 * query per tenant), replacing rows written before that day. Deleted tenants get none. The
 * numbers are those `readKpis` gives with that tenant picked (src/db/kpis.ts), at `now`. It reads
 * every membership (their count per tenant, on the memberships key) and joins only the users
 * active within ACTIVE_WITHIN_DAYS (`users_last_login_idx`) to theirs, not every membership to
 * every user: run it on a connection of its own (the `kpi-tenant-snapshot` task does).
 * @returns how many tenant rows were written
 */
export async function upsertTenantDays(db: Db, day: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - ACTIVE_WITHIN_DAYS * DAY_MS)
  const result = await sql`insert into kpi_daily (day, tenant_id, kpis, taken_at)
    select ${day}::date, t.id, jsonb_build_object(
        'users', coalesce(m.n, 0),
        'activeUsers', coalesce(a.n, 0),
        'pendingJoinRequests', coalesce(j.n, 0),
        'activeImpersonations', coalesce(i.n, 0),
        'storageBytes', coalesce(s.db_bytes + s.file_bytes, 0)),
      ${now}
    from tenants t
    left join (select tenant_id, count(*) as n from memberships group by tenant_id) m
      on m.tenant_id = t.id
    left join (select mm.tenant_id, count(*) as n
      from users u join memberships mm on mm.user_id = u.id
      where u.last_login_at >= ${since} group by mm.tenant_id) a on a.tenant_id = t.id
    left join (select tenant_id, count(*) as n from join_requests
      where status = 'pending' group by tenant_id) j on j.tenant_id = t.id
    left join (select tenant_id, count(*) as n from impersonations
      where ended_at is null and expires_at > ${now} group by tenant_id) i on i.tenant_id = t.id
    left join storage_snapshots s on s.tenant_id = t.id
    where t.status <> 'deleted'
    on conflict on constraint kpi_daily_day_tenant_key
    do update set kpis = excluded.kpis, taken_at = excluded.taken_at`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/**
 * The day's average of the host metrics over health_samples taken in [dayStart, dayStart + 24 h),
 * each sample weighted by its resolution (a 5-minute fold counts 30 times a 10-second sample).
 * A metric never read that day is null.
 */
export async function hostDayAverages(
  db: Db,
  day: string,
): Promise<{
  cpuPercent: number | null
  memoryPercent: number | null
  diskPercent: number | null
}> {
  const start = new Date(`${day}T00:00:00Z`)
  const end = new Date(start.getTime() + DAY_MS)
  const avg = (key: string) =>
    sql`sum((metrics->>${key})::float8 * resolution_seconds)
      / nullif(sum(resolution_seconds) filter (where metrics->>${key} is not null), 0)`
  const { rows } = await sql<{ cpu: unknown; memory: unknown; disk: unknown }>`select
      ${avg('host.cpu_percent')} as cpu,
      ${avg('host.memory_percent')} as memory,
      ${avg('host.disk_percent')} as disk
    from health_samples
    where taken_at >= ${start} and taken_at < ${end}
      and jsonb_typeof(metrics) = 'object'`.execute(db)
  const value = (v: unknown) => (v === null || v === undefined ? null : numberOrNull(Number(v)))
  return {
    cpuPercent: value(rows[0]?.cpu),
    memoryPercent: value(rows[0]?.memory),
    diskPercent: value(rows[0]?.disk),
  }
}

/**
 * The stored days from `fromDay` on, oldest first, in one statement: the fleet's rows, and with
 * `scope.tenantId` that tenant's rows too (the host tiles stay cluster-wide).
 */
export async function readKpiHistory(
  db: Db,
  scope: TenantScope,
  fromDay: string,
): Promise<{ fleet: KpiDay[]; tenant: KpiDay[] }> {
  const tenant = scope.tenantId && isUuid(scope.tenantId) ? scope.tenantId : undefined
  const { rows } = await sql<{
    day: string
    tenant_id: string | null
    kpis: unknown
    taken_at: Date | string
  }>`
    select day::text as day, tenant_id, kpis, taken_at from kpi_daily
    where day >= ${fromDay}::date
      and (tenant_id is null${tenant ? sql` or tenant_id = ${tenant}` : sql``})
    order by day`.execute(db)
  const fleet: KpiDay[] = []
  const own: KpiDay[] = []
  for (const row of rows) {
    const kpis = Object.fromEntries(
      Object.entries(jsonObject(row.kpis)).filter(([, v]) => numberOrNull(v) !== null),
    ) as KpiDay['kpis']
    ;(row.tenant_id === null ? fleet : own).push({
      day: row.day,
      kpis,
      takenAt: new Date(row.taken_at),
    })
  }
  return { fleet, tenant: own }
}

/** Removes rows of days before `beforeDay`. @returns how many went */
export async function pruneKpiDaily(db: Db, beforeDay: string): Promise<number> {
  const result = await db
    .deleteFrom('kpi_daily')
    .where(sql<boolean>`day < ${beforeDay}::date`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
