import { sql } from 'kysely'
import { MRR_STATUSES } from '../billing/mrr.js'
import type { Db } from './database.js'
import type { MrrMovementKind } from './schema.js'
import type { TenantScope } from './tenant-scope.js'

// What /billing and the dashboard read about revenue (issue 12 items 3–4), from the projection's
// tables in `public` only: one aggregate statement each, never a query per tenant or per month.
// Every amount is integer cents of its own currency; nothing here adds two currencies.

/** `and <column> = tenantId` when the scope names a tenant, else nothing. */
export function scopeCondition(scope: TenantScope, column: string) {
  return scope.tenantId ? sql`and ${sql.ref(column)} = ${scope.tenantId}` : sql``
}

/** MRR in one currency: the sum of paying subscriptions' `mrr_cents` (MRR_STATUSES). */
export type CurrencyRevenue = {
  /** Stripe's lower-case ISO code, e.g. `eur`. */
  currency: string
  mrrCents: number
  /** Subscriptions counted in MRR (active, past_due, unpaid). */
  paying: number
}

/**
 * MRR and paying subscriptions per currency, largest MRR first. Unmatched customers'
 * subscriptions count in the fleet (they pay), never under a tenant scope.
 */
export async function summarizeRevenue(db: Db, scope: TenantScope): Promise<CurrencyRevenue[]> {
  const { rows } = await sql<CurrencyRevenue>`
    select currency, coalesce(sum(mrr_cents), 0)::bigint as "mrrCents", count(*)::int as paying
    from saas_billing
    where status in (${sql.join([...MRR_STATUSES])}) ${scopeCondition(scope, 'tenant_id')}
    group by currency
    order by "mrrCents" desc, currency`.execute(db)
  return rows
}

/** The movements of one kind in one currency and UTC month (`YYYY-MM`). */
export type MovementTotal = {
  currency: string
  month: string
  kind: MrrMovementKind
  /** Σ delta: positive for new/expansion/reactivation, negative for contraction/churn. */
  deltaCents: number
  count: number
}

/** Movement totals per currency, UTC month and kind, for movements at or after `since`. */
export async function sumMovementsByMonth(
  db: Db,
  scope: TenantScope,
  since: Date,
): Promise<MovementTotal[]> {
  const { rows } = await sql<MovementTotal>`
    select currency, to_char(occurred_at at time zone 'UTC', 'YYYY-MM') as month, kind,
      sum(delta_cents)::bigint as "deltaCents", count(*)::int as count
    from mrr_movements
    where occurred_at >= ${since} ${scopeCondition(scope, 'tenant_id')}
    group by 1, 2, 3
    order by 1, 2, 3`.execute(db)
  return rows
}

/** A cancellation or downgrade, with its tenant (null: an unmatched customer). */
export type LostMovement = {
  customerId: string
  tenantId: string | null
  tenantName: string | null
  tenantSlug: string | null
  currency: string
  kind: 'churn' | 'contraction'
  /** Negative: the MRR lost. */
  deltaCents: number
  occurredAt: Date
}

/** Churn and contraction movements at or after `since` (this month's), newest first. */
export async function listLostMovements(
  db: Db,
  scope: TenantScope,
  since: Date,
): Promise<LostMovement[]> {
  const { rows } = await sql<LostMovement>`
    select m.customer_id as "customerId", m.tenant_id as "tenantId", t.name as "tenantName",
      t.slug as "tenantSlug", m.currency, m.kind, m.delta_cents::bigint as "deltaCents",
      m.occurred_at as "occurredAt"
    from mrr_movements m
    left join tenants t on t.id = m.tenant_id
    where m.occurred_at >= ${since} and m.kind in ('churn', 'contraction')
      ${scopeCondition(scope, 'm.tenant_id')}
    order by m.occurred_at desc, m.id desc`.execute(db)
  return rows
}

/** Whether Stripe ever sent anything (the page's empty state). */
export async function hasBillingData(db: Db): Promise<boolean> {
  const row = await db.selectFrom('stripe_events').select('id').limit(1).executeTakeFirst()
  if (row) return true
  const sub = await db
    .selectFrom('saas_billing')
    .select('subscription_id')
    .limit(1)
    .executeTakeFirst()
  return sub !== undefined
}

/**
 * Paying subscriptions (MRR_STATUSES) with an item whose price has no unit amount — tiered or
 * metered prices, which the projection stores as `unitAmountCents: 0` (src/billing/
 * stripe-shapes.ts; null is counted too) — so their MRR counts as 0 for that item.
 */
export async function countUnpricedSubscriptions(db: Db, scope: TenantScope): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from saas_billing
    where status in (${sql.join([...MRR_STATUSES])}) ${scopeCondition(scope, 'tenant_id')}
      and exists (
        select 1 from jsonb_array_elements(items) as item
        where coalesce((item->>'unitAmountCents')::numeric, 0) = 0)`.execute(db)
  return rows[0]?.n ?? 0
}
