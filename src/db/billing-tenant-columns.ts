import { sql } from 'kysely'
import type { Db } from './database.js'

// tenants.billing_mrr_cents / billing_currency / dunning_started_at (issue 12): the projection's
// summary kept on the tenant so the tenants table sorts and filters without a join.

/**
 * Recomputes the tenant's billing columns from its subscriptions: `billing_currency` is its main
 * currency (the one with the most MRR; when all are 0, the currency of its latest subscription by
 * start), `billing_mrr_cents` the sum of its subscriptions' MRR in that currency (cents), and
 * `dunning_started_at` the earliest of its subscriptions'. All three null without a subscription.
 * Runs inside the caller's transaction (it locks the tenant row until that commits).
 */
export async function updateTenantBillingColumns(db: Db, tenantId: string): Promise<void> {
  // Lock the tenant first: the statement below then reads its subscriptions after any other
  // customer's change to the same tenant has committed (read committed takes a fresh snapshot).
  await db.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().execute()
  await sql`
    with per_currency as (
      select currency, sum(mrr_cents) as mrr, max(coalesce(started_at, source_created)) as latest
      from saas_billing where tenant_id = ${tenantId} group by currency
    ), main as (
      select currency, mrr from per_currency order by mrr desc, latest desc, currency limit 1
    )
    update tenants set
      billing_currency = (select currency from main),
      billing_mrr_cents = (select mrr from main),
      dunning_started_at = (select min(dunning_started_at) from saas_billing where tenant_id = ${tenantId})
    where id = ${tenantId}`.execute(db)
}

/** Every tenant's billing columns back to null (reprocessing rebuilds them). */
export async function clearTenantBillingColumns(db: Db): Promise<void> {
  await db
    .updateTable('tenants')
    .set({ billing_mrr_cents: null, billing_currency: null, dunning_started_at: null })
    .where((eb) =>
      eb.or([
        eb('billing_mrr_cents', 'is not', null),
        eb('billing_currency', 'is not', null),
        eb('dunning_started_at', 'is not', null),
      ]),
    )
    .execute()
}

/**
 * The projection emptied (reprocessing): customers, subscriptions, invoices, movements and
 * discounts and coupons (billing_discounts, billing_coupons: migration 2026120510).
 */
export async function truncateBillingProjection(db: Db): Promise<void> {
  await sql`truncate billing_customers, saas_billing, saas_invoices, mrr_movements, billing_discounts, billing_coupons`.execute(
    db,
  )
}
