import { sql, type RawBuilder } from 'kysely'
import type { Db } from './database.js'
import type { TenantScope } from './tenant-scope.js'

// What tenants use against their plan's quotas (issue 9 items 1 and 2), measured from the
// control-plane tables only, never from tenant schemas (DESIGN.md §3): members from
// `memberships`, storage from `storage_snapshots` (db_bytes + file_bytes, as of the last
// snapshot), API calls from `tenant_api_usage` (the busiest UTC day of the last 7, today
// included). Custom domains have no usage source yet, so nothing here measures them.

/** UTC days of API usage a peak is taken over, today included. */
export const API_USAGE_WINDOW_DAYS = 7

/** The first UTC day (`YYYY-MM-DD`) of the API usage window that ends on `now`'s day. */
export function apiUsageWindowStart(now: Date): string {
  const start = new Date(now.getTime() - (API_USAGE_WINDOW_DAYS - 1) * 86_400_000)
  return start.toISOString().slice(0, 10)
}

/**
 * One row per tenant matching `where` with its usage: `members` (count), `storage_bytes` (null
 * without a snapshot), `api_peak` (calls on the busiest day of the window; null without any
 * report). Aggregates are grouped once for all tenants, so the cost does not grow per tenant.
 */
export function tenantUsageSql(now: Date, where: RawBuilder<unknown>) {
  return sql`select t.id, t.slug, t.name, t.status, t.plan_id,
      coalesce(m.n, 0)::int as members,
      (s.db_bytes + s.file_bytes)::float8 as storage_bytes,
      a.peak::float8 as api_peak
    from tenants t
    left join (select tenant_id, count(*) as n from memberships group by tenant_id) m
      on m.tenant_id = t.id
    left join storage_snapshots s on s.tenant_id = t.id
    left join (select tenant_id, max(calls) as peak from tenant_api_usage
        where day >= ${apiUsageWindowStart(now)}::date group by tenant_id) a
      on a.tenant_id = t.id
    where ${where}`
}

/** Proposed quota values to measure a plan's tenants against; null = unlimited. */
export type QuotaLimits = {
  maxMembers: number | null
  maxStorageBytes: number | null
  maxApiCallsPerDay: number | null
}

/** How a plan's live tenants stand against proposed quotas. */
export type PlanUsageAgainst = {
  /** Tenants on the plan that are not deleted. */
  tenants: number
  /** Tenants whose usage is above the proposed value, per quota (0 when unlimited). */
  over: { maxMembers: number; maxStorageBytes: number; maxApiCallsPerDay: number }
  /** Tenants on the plan without a storage snapshot (their storage is not known). */
  withoutStorageSnapshot: number
}

/**
 * Counts, in one statement, the plan's tenants (not deleted) and how many of them use more than
 * each proposed limit. Changes nothing.
 */
export async function measurePlanUsageAgainst(
  db: Db,
  planId: string,
  limits: QuotaLimits,
  now: Date,
): Promise<PlanUsageAgainst> {
  const usage = tenantUsageSql(now, sql`t.plan_id = ${planId} and t.status <> 'deleted'`)
  const { rows } = await sql<{
    tenants: number
    members_over: number
    storage_over: number
    api_over: number
    no_snapshot: number
  }>`with u as (${usage})
    select count(*)::int as tenants,
      count(*) filter (where u.members > ${limits.maxMembers}::bigint)::int as members_over,
      count(*) filter (where u.storage_bytes > ${limits.maxStorageBytes}::float8)::int as storage_over,
      count(*) filter (where u.api_peak > ${limits.maxApiCallsPerDay}::float8)::int as api_over,
      count(*) filter (where u.storage_bytes is null)::int as no_snapshot
    from u`.execute(db)
  const r = rows[0]
  return {
    tenants: Number(r.tenants),
    over: {
      maxMembers: Number(r.members_over),
      maxStorageBytes: Number(r.storage_over),
      maxApiCallsPerDay: Number(r.api_over),
    },
    withoutStorageSnapshot: Number(r.no_snapshot),
  }
}

/** plan id → tenants on it that are not deleted (one statement), within `scope`. */
export async function countLiveTenantsByPlan(
  db: Db,
  scope: TenantScope = {},
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('tenants')
    .select(['plan_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '<>', 'deleted')
    .$if(!!scope.tenantId, (qb) => qb.where('id', '=', scope.tenantId!))
    .groupBy('plan_id')
    .execute()
  return new Map(rows.map((r) => [r.plan_id, Number(r.n)]))
}

/** Calls one tenant made on one UTC day (`day` as `YYYY-MM-DD`). */
export type ApiUsageDay = { tenantId: string; day: string; calls: number }

/**
 * Writes API usage days, replacing the calls of a (tenant, day) already recorded; 1,000 rows per
 * statement. Used by the demo fleet; tenant apps report usage through the kit.
 */
export async function upsertApiUsageDays(db: Db, days: ApiUsageDay[]): Promise<void> {
  for (let i = 0; i < days.length; i += 1000) {
    await db
      .insertInto('tenant_api_usage')
      .values(
        days.slice(i, i + 1000).map((d) => ({ tenant_id: d.tenantId, day: d.day, calls: d.calls })),
      )
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'day']).doUpdateSet((eb) => ({ calls: eb.ref('excluded.calls') })),
      )
      .execute()
  }
}
