import { sql } from 'kysely'
import { MRR_STATUSES } from '../billing/mrr.js'
import { scopeCondition } from './billing-overview.js'
import type { Db } from './database.js'
import type { TenantScope } from './tenant-scope.js'

// The dashboard's revenue tiles (issue 12 item 4): MRR, today's revenue and today's churn per
// currency, in ONE statement (the dashboard's statement budget, dashboard-cost.test.ts).

/** One currency's numbers for the dashboard; cents of `currency`. */
export type CurrencyToday = {
  currency: string
  /** Σ mrr_cents of paying subscriptions (MRR_STATUSES). */
  mrrCents: number
  /** Σ amount_paid of invoices paid since `dayStart` (before refunds: they carry no date). */
  paidTodayCents: number
  /** Customers whose MRR went to 0 since `dayStart` (churn movements). */
  churnedToday: number
  /** The MRR they took with them, positive. */
  churnedTodayCents: number
}

export type BillingToday = {
  /** Stripe sent something, or the projection holds a subscription. */
  hasData: boolean
  /** Largest MRR first, then the largest paid today. */
  currencies: CurrencyToday[]
}

/** The numbers since `dayStart` (00:00 UTC today) and the MRR now, for `scope`. */
export async function readBillingToday(
  db: Db,
  scope: TenantScope,
  dayStart: Date,
): Promise<BillingToday> {
  const { rows } = await sql<{ hasData: boolean; currencies: CurrencyToday[] }>`
    with mrr as (
      select currency, sum(mrr_cents) as cents from saas_billing
      where status in (${sql.join([...MRR_STATUSES])}) ${scopeCondition(scope, 'tenant_id')}
      group by currency),
    paid as (
      select currency, sum(amount_paid) as cents from saas_invoices
      where paid_at >= ${dayStart} ${scopeCondition(scope, 'tenant_id')}
      group by currency),
    churn as (
      select currency, count(distinct customer_id) as n, -sum(delta_cents) as cents
      from mrr_movements
      where kind = 'churn' and occurred_at >= ${dayStart} ${scopeCondition(scope, 'tenant_id')}
      group by currency),
    codes as (select currency from mrr union select currency from paid union select currency from churn)
    select (exists (select 1 from stripe_events) or exists (select 1 from saas_billing)) as "hasData",
      coalesce((
        select json_agg(json_build_object(
            'currency', c.currency, 'mrrCents', coalesce(mrr.cents, 0),
            'paidTodayCents', coalesce(paid.cents, 0), 'churnedToday', coalesce(churn.n, 0),
            'churnedTodayCents', coalesce(churn.cents, 0))
          order by coalesce(mrr.cents, 0) desc, coalesce(paid.cents, 0) desc, c.currency)
        from codes c
        left join mrr on mrr.currency = c.currency
        left join paid on paid.currency = c.currency
        left join churn on churn.currency = c.currency), '[]'::json) as currencies`.execute(db)
  const row = rows[0]!
  return { hasData: row.hasData, currencies: row.currencies.map(numbers) }
}

/** json_build_object renders a bigint sum as a JSON number; numeric sums too. Keep them numbers. */
function numbers(c: CurrencyToday): CurrencyToday {
  return {
    currency: c.currency,
    mrrCents: Number(c.mrrCents),
    paidTodayCents: Number(c.paidTodayCents),
    churnedToday: Number(c.churnedToday),
    churnedTodayCents: Number(c.churnedTodayCents),
  }
}
