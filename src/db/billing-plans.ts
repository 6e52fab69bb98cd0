import { sql } from 'kysely'
import { MRR_STATUSES } from '../billing/mrr.js'
import { scopeCondition } from './billing-overview.js'
import type { Db } from './database.js'
import type { TenantScope } from './tenant-scope.js'

// /billing's "subscriptions by plan" and the unmatched customers (issue 12 items 2 and 4).

/** One plan (product and price) in one currency, with its subscriptions by status. */
export type PlanSubscriptions = {
  currency: string
  productName: string | null
  priceId: string | null
  /** `month`, `year`… with `intervalCount` (3 months); null when Stripe sent none. */
  interval: string | null
  intervalCount: number | null
  /** Σ mrr_cents of its paying subscriptions, cents of `currency`. */
  mrrCents: number
  paying: number
  trialing: number
  active: number
  pastDue: number
  /** Canceled at or after `monthStart`. */
  canceledThisMonth: number
}

/**
 * Subscriptions grouped by currency, product and price: count and MRR, and counts by status.
 * Plans with only subscriptions canceled before this month are left out. Largest MRR first.
 */
export async function listPlanSubscriptions(
  db: Db,
  scope: TenantScope,
  monthStart: Date,
): Promise<PlanSubscriptions[]> {
  const paying = sql`status in (${sql.join([...MRR_STATUSES])})`
  const canceledNow = sql`status = 'canceled' and canceled_at >= ${monthStart}`
  const { rows } = await sql<PlanSubscriptions>`
    select currency, product_name as "productName", price_id as "priceId", interval,
      interval_count as "intervalCount",
      coalesce(sum(mrr_cents) filter (where ${paying}), 0)::bigint as "mrrCents",
      count(*) filter (where ${paying})::int as paying,
      count(*) filter (where status = 'trialing')::int as trialing,
      count(*) filter (where status = 'active')::int as active,
      count(*) filter (where status = 'past_due')::int as "pastDue",
      count(*) filter (where ${canceledNow})::int as "canceledThisMonth"
    from saas_billing
    where (status <> 'canceled' or canceled_at >= ${monthStart})
      ${scopeCondition(scope, 'tenant_id')}
    group by currency, product_name, price_id, interval, interval_count
    order by currency, "mrrCents" desc, product_name`.execute(db)
  return rows
}

/** A Stripe customer no tenant claims yet, with its MRR per currency. */
export type UnmatchedCustomer = {
  id: string
  email: string | null
  name: string | null
  created: Date | null
  mrr: { currency: string; mrrCents: number }[]
}

/** Rows /billing lists at most; the count says how many more there are. */
export const SHOWN_UNMATCHED = 50

/**
 * Customers with no tenant (`billing_customers.tenant_id is null`, not deleted), newest first, at
 * most SHOWN_UNMATCHED, and how many there are in all (on billing_customers_unmatched_idx).
 */
export async function listUnmatchedCustomers(
  db: Db,
): Promise<{ shown: UnmatchedCustomer[]; total: number }> {
  const { rows } = await sql<UnmatchedCustomer & { total: number }>`
    with unmatched as (
      select id, email, name, created from billing_customers
      where tenant_id is null and not deleted)
    select u.id, u.email, u.name, u.created, (select count(*)::int from unmatched) as total,
      coalesce((
        select json_agg(json_build_object('currency', m.currency, 'mrrCents', m.mrr)
          order by m.currency)
        from (select currency, sum(mrr_cents)::bigint as mrr from saas_billing b
          where b.customer_id = u.id and b.status in (${sql.join([...MRR_STATUSES])})
          group by currency) m), '[]'::json) as mrr
    from unmatched u
    order by u.created desc nulls last, u.id
    limit ${SHOWN_UNMATCHED}`.execute(db)
  const total = rows[0]?.total ?? 0
  return { shown: rows.map(({ total: _, ...r }) => r), total }
}
