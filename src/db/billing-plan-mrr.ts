import { sql } from 'kysely'
import type { Db } from './database.js'
import type { TenantScope } from './tenant-scope.js'

// /licences' MRR by plan from Stripe (issue 12 replaces issue 9's list-price MRR where billing
// data exists): the projection's per-tenant MRR (tenants.billing_mrr_cents, kept by the webhook's
// projection) summed per console plan and currency. One statement on `tenants`, no join.

/** The Stripe MRR of the tenants on one plan, in one currency. */
export type PlanStripeMrr = {
  planId: string
  /** Stripe's lower-case code (tenants.billing_currency). */
  currency: string
  /** Tenants of this plan with MRR above 0 in this currency. */
  payingTenants: number
  /** Σ billing_mrr_cents, cents of `currency`. */
  mrrCents: number
}

/**
 * Per plan and currency, the tenants that pay (billing_mrr_cents > 0) and their MRR; deleted
 * tenants left out. Empty while no tenant has billing data: the page falls back to list price.
 */
export async function sumStripeMrrByPlan(db: Db, scope: TenantScope): Promise<PlanStripeMrr[]> {
  const { rows } = await sql<PlanStripeMrr>`
    select plan_id as "planId", billing_currency as currency, count(*)::int as "payingTenants",
      sum(billing_mrr_cents)::bigint as "mrrCents"
    from tenants
    where billing_mrr_cents > 0 and billing_currency is not null and status <> 'deleted'
      ${scope.tenantId ? sql`and id = ${scope.tenantId}` : sql``}
    group by plan_id, billing_currency
    order by plan_id, billing_currency`.execute(db)
  return rows
}
