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
