import { sql } from 'kysely'
import { MRR_STATUSES } from '../billing/mrr.js'
import type { Db } from './database.js'
import type { TenantScope } from './tenant-scope.js'

// /licences' MRR by plan from Stripe (issue 12 replaces issue 9's list-price MRR where billing
// data exists): the paying subscriptions' MRR (saas_billing.mrr_cents over MRR_STATUSES) summed
// per console plan of their tenant and per currency. Not tenants.billing_mrr_cents: that column
// holds one currency per tenant, and a tenant paying in EUR and USD would lose one of them.

/** The Stripe MRR of the tenants on one plan, in one currency. */
export type PlanStripeMrr = {
  planId: string
  /** Stripe's lower-case code (saas_billing.currency). */
  currency: string
  /** Tenants of this plan with MRR above 0 in this currency. */
  payingTenants: number
  /** Σ saas_billing.mrr_cents of paying subscriptions, cents of `currency`. */
  mrrCents: number
}

/**
 * Per plan and currency, the tenants that pay (MRR above 0 in that currency) and their MRR;
 * unmatched subscriptions and deleted tenants left out. Empty while no tenant has billing data:
 * the page falls back to list price.
 */
export async function sumStripeMrrByPlan(db: Db, scope: TenantScope): Promise<PlanStripeMrr[]> {
  const { rows } = await sql<PlanStripeMrr>`
    select t.plan_id as "planId", s.currency, count(distinct t.id)::int as "payingTenants",
      sum(s.mrr_cents)::bigint as "mrrCents"
    from saas_billing s
    join tenants t on t.id = s.tenant_id
    where s.status in (${sql.join([...MRR_STATUSES])}) and s.mrr_cents > 0
      and t.status <> 'deleted'
      ${scope.tenantId ? sql`and t.id = ${scope.tenantId}` : sql``}
    group by t.plan_id, s.currency
    order by t.plan_id, s.currency`.execute(db)
  return rows
}
