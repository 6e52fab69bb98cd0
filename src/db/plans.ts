import type { Db } from './database.js'

/** A subscription plan and its quotas (seeds/002); null quota = unlimited. */
export type Plan = {
  id: string
  name: string
  /** Price per month in cents (0 for Free). */
  priceCentsMonthly: number
  maxMembers: number | null
  maxStorageMb: number | null
  maxCustomDomains: number
}

/** Every plan, in display order (Free, Professional, Enterprise). */
export async function listPlans(db: Db): Promise<Plan[]> {
  const rows = await db.selectFrom('plans').selectAll().orderBy('sort_order').execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    priceCentsMonthly: r.price_cents_monthly,
    maxMembers: r.max_members,
    maxStorageMb: r.max_storage_mb,
    maxCustomDomains: r.max_custom_domains,
  }))
}

const plansByDatabase = new WeakMap<Db, Promise<Plan[]>>()

/**
 * `listPlans`, read once per database handle and then kept in memory: the tenants filter shows
 * the plans on every page, and /tenants must stay at three statements (issue #6 item 19).
 * Plans are rows of the baseline migration that nothing in Fleetdeck edits yet; whatever starts
 * editing them must call `forgetPlans(db)` in the same change. A failed read is not kept.
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
