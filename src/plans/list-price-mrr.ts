import type { Plan } from '../db/plans.js'
import type { TenantStatus } from '../db/schema.js'

// List-price MRR (issue 9 item 2, seeds/000 "revenue by plan"): active tenants × the plan's
// monthly list price. Not revenue: discounts, trials and yearly terms are unknown here. Since
// issue 12, /licences shows MRR by plan from Stripe (src/db/billing-plan-mrr.ts) above it, and
// this stays as the fallback while no billing data exists.

export type PlanMrr = {
  plan: Plan
  activeTenants: number
  /** activeTenants × priceCentsMonthly, in cents of `plan.currency`. */
  mrrCents: number
}

/** MRR rows per plan (display order) and totals in cents per currency (never summed across). */
export function listPriceMrr(
  plans: Plan[],
  counts: { planId: string; status: TenantStatus; count: number }[],
): { rows: PlanMrr[]; totals: { currency: string; cents: number }[] } {
  const active = new Map<string, number>()
  for (const c of counts) if (c.status === 'active') active.set(c.planId, c.count)
  const rows = plans
    .map((plan) => {
      const activeTenants = active.get(plan.id) ?? 0
      return { plan, activeTenants, mrrCents: activeTenants * plan.priceCentsMonthly }
    })
    .filter((r) => r.activeTenants > 0 || !r.plan.archivedAt)
  const totals = new Map<string, number>()
  for (const r of rows) totals.set(r.plan.currency, (totals.get(r.plan.currency) ?? 0) + r.mrrCents)
  return { rows, totals: [...totals].map(([currency, cents]) => ({ currency, cents })) }
}
