import type { Db } from './database.js'
import type { PlanRow } from './schema.js'

/**
 * A subscription plan, its list prices and quotas (seeds/002, issue 9 item 1). A null quota is
 * unlimited. Prices are integer cents in `currency` (ISO 4217, lower case, as Stripe writes it).
 */
export type Plan = {
  id: string
  name: string
  /** List price per month, in cents (0 for Free). */
  priceCentsMonthly: number
  /** List price per year, in cents. */
  priceCentsYearly: number
  currency: string
  /** Memberships a tenant may hold. */
  maxMembers: number | null
  /** DB + files, in bytes. */
  maxStorageBytes: number | null
  maxCustomDomains: number | null
  /** API calls per UTC day, as the tenant app reports them. */
  maxApiCallsPerDay: number | null
  sortOrder: number
  /** Offered to new customers; a non-public plan is assigned by an operator only. */
  isPublic: boolean
  /** Archived plans keep their tenants but take no new ones. */
  archivedAt: Date | null
}

/** The quota kinds a plan sets, by their `Plan` field. */
export const QUOTA_FIELDS = [
  'maxMembers',
  'maxStorageBytes',
  'maxCustomDomains',
  'maxApiCallsPerDay',
] as const
export type QuotaField = (typeof QUOTA_FIELDS)[number]

export function toPlan(r: PlanRow): Plan {
  return {
    id: r.id,
    name: r.name,
    priceCentsMonthly: r.price_cents_monthly,
    priceCentsYearly: r.price_cents_yearly,
    currency: r.currency,
    maxMembers: r.max_members,
    maxStorageBytes: r.max_storage_bytes === null ? null : Number(r.max_storage_bytes),
    maxCustomDomains: r.max_custom_domains,
    maxApiCallsPerDay: r.max_api_calls_per_day === null ? null : Number(r.max_api_calls_per_day),
    sortOrder: r.sort_order,
    isPublic: r.is_public,
    archivedAt: r.archived_at,
  }
}

/** Every plan, archived ones included, in display order (Free, Professional, Enterprise, …). */
export async function listPlans(db: Db): Promise<Plan[]> {
  const rows = await db
    .selectFrom('plans')
    .selectAll()
    .orderBy('sort_order')
    .orderBy('id')
    .execute()
  return rows.map(toPlan)
}

/** The plan with this id, or undefined. */
export async function findPlan(db: Db, id: string): Promise<Plan | undefined> {
  const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toPlan(row)
}

const plansByDatabase = new WeakMap<Db, Promise<Plan[]>>()

/**
 * `listPlans`, read once per database handle and then kept in memory: the tenants filter shows
 * the plans on every page, and /tenants must stay at three statements (issue #6 item 19).
 * Whatever writes `plans` must call `forgetPlans(db)` after its transaction commits. A failed
 * read is not kept. Several instances: another instance's edit shows here after a restart or its
 * own edit, which only affects the filter's labels, never a quota (those are read per request).
 */
export function listPlansCached(db: Db): Promise<Plan[]> {
  let plans = plansByDatabase.get(db)
  if (!plans) {
    plans = listPlans(db)
    plansByDatabase.set(db, plans)
    plans.catch(() => plansByDatabase.delete(db))
  }
  return plans
}

/** Drops the kept plans of `db`, so the next `listPlansCached` reads them again. */
export function forgetPlans(db: Db): void {
  plansByDatabase.delete(db)
}
