import { sql } from 'kysely'
import type { Db } from './database.js'
import type { TenantStatus } from './schema.js'
import type { TenantScope } from './tenant-scope.js'
import { tenantUsageSql } from './plan-usage.js'

// Reads of the licences page (issue 9 item 2, seeds/000 "licence management"): tenants by plan
// and status, and the tenants over or near a quota. A fixed number of statements whatever the
// fleet size; every one takes the customer picker's scope (DESIGN.md §11).

/** Tenants (not deleted) per plan and status: `[planId, status, count]` rows, one statement. */
export async function countTenantsByPlanAndStatus(
  db: Db,
  scope: TenantScope,
): Promise<{ planId: string; status: TenantStatus; count: number }[]> {
  const rows = await db
    .selectFrom('tenants')
    .select(['plan_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '<>', 'deleted')
    .$if(!!scope.tenantId, (qb) => qb.where('id', '=', scope.tenantId!))
    .groupBy(['plan_id', 'status'])
    .execute()
  return rows.map((r) => ({ planId: r.plan_id, status: r.status, count: Number(r.n) }))
}

/** One measured quota of a tenant: usage against the plan's limit (null = unlimited). */
export type QuotaUse = { used: number | null; limit: number | null }

/** A tenant that is over a quota, or at ≥ 80 % of one. */
export type QuotaPressure = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  planId: string
  members: QuotaUse
  /** Bytes; `used` null without a storage snapshot. */
  storage: QuotaUse
  /** Calls on the busiest UTC day of the last 7; `used` null without any report. */
  apiCallsPerDay: QuotaUse
  /** The highest used/limit ratio among the three (1.25 = 125 %); null when all are unlimited. */
  worst: number | null
}

/** The share of a quota at which a tenant counts as near it (seeds/000 upgrade opportunities). */
export const NEAR_QUOTA_RATIO = 0.8

/**
 * Active and suspended tenants over at least one quota (`over`: usage above the limit) or, not
 * being over any, at ≥ 80 % of one (`near`: at the limit counts here, since additions stop
 * there), worst first, at most `limit` rows, with the total that matched. One statement.
 */
export async function listQuotaPressure(
  db: Db,
  scope: TenantScope,
  kind: 'over' | 'near',
  now: Date,
  limit = 100,
): Promise<{ items: QuotaPressure[]; total: number }> {
  const where = scope.tenantId
    ? sql`t.status in ('active', 'suspended') and t.id = ${scope.tenantId}`
    : sql`t.status in ('active', 'suspended')`
  const condition =
    kind === 'over' ? sql`r.is_over` : sql`not r.is_over and r.worst >= ${NEAR_QUOTA_RATIO}::float8`
  const { rows } = await sql<PressureRow>`with u as (${tenantUsageSql(now, where)}),
    r as (select u.*, p.max_members, p.max_storage_bytes::float8 as max_storage_bytes,
        p.max_api_calls_per_day::float8 as max_api_calls_per_day,
        coalesce(u.members > p.max_members or u.storage_bytes > p.max_storage_bytes
          or u.api_peak > p.max_api_calls_per_day, false) as is_over,
        greatest(u.members::float8 / nullif(p.max_members, 0),
          u.storage_bytes / nullif(p.max_storage_bytes, 0),
          u.api_peak / nullif(p.max_api_calls_per_day, 0)) as worst
      from u join plans p on p.id = u.plan_id)
    select r.*, count(*) over ()::int as total from r where ${condition}
    order by r.worst desc nulls last, r.slug limit ${limit}`.execute(db)
  return { items: rows.map(toPressure), total: rows.length > 0 ? Number(rows[0].total) : 0 }
}

type PressureRow = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  plan_id: string
  members: number
  storage_bytes: number | null
  api_peak: number | null
  max_members: number | null
  max_storage_bytes: number | null
  max_api_calls_per_day: number | null
  worst: number | null
  total: number
}

const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v))

function toPressure(r: PressureRow): QuotaPressure {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    status: r.status,
    planId: r.plan_id,
    members: { used: Number(r.members), limit: numberOrNull(r.max_members) },
    storage: { used: numberOrNull(r.storage_bytes), limit: numberOrNull(r.max_storage_bytes) },
    apiCallsPerDay: {
      used: numberOrNull(r.api_peak),
      limit: numberOrNull(r.max_api_calls_per_day),
    },
    worst: numberOrNull(r.worst),
  }
}
