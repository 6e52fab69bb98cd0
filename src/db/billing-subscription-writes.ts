import { sql } from 'kysely'
import type { SubscriptionInput } from '../billing/stripe-shapes.js'
import type { Db } from './database.js'

// saas_billing as the projection writes it (issue 12 item 2): one row per Stripe subscription.

export type ExistingSubscription = {
  currency: string
  sourceCreated: Date
  tenantId: string | null
}

export async function findSubscriptionVersion(
  db: Db,
  subscriptionId: string,
): Promise<ExistingSubscription | undefined> {
  const row = await db
    .selectFrom('saas_billing')
    .select(['currency', 'source_created', 'tenant_id'])
    .where('subscription_id', '=', subscriptionId)
    .executeTakeFirst()
  return (
    row && { currency: row.currency, sourceCreated: row.source_created, tenantId: row.tenant_id }
  )
}

/**
 * Inserts or replaces a subscription with an event's state (`mrr_cents` already computed, cents
 * of `sub.currency`), unless the stored row comes from a newer event: the `where` on the conflict
 * keeps rows whose `source_created` is later than `created` (equal seconds apply).
 * @returns false when the event was older and nothing was written
 */
export async function upsertSubscription(
  db: Db,
  sub: SubscriptionInput,
  extra: { tenantId: string | null; mrrCents: number; created: Date },
): Promise<boolean> {
  const first = sub.items[0]
  const values = {
    subscription_id: sub.id,
    customer_id: sub.customerId,
    tenant_id: extra.tenantId,
    status: sub.status,
    price_id: first?.priceId ?? null,
    product_name: first?.productName ?? null,
    interval: first?.interval ?? null,
    interval_count: first?.intervalCount ?? null,
    quantity: first?.quantity ?? null,
    currency: sub.currency,
    items: JSON.stringify(sub.items),
    discounts: JSON.stringify(sub.discounts),
    mrr_cents: extra.mrrCents,
    current_period_end: sub.currentPeriodEnd,
    cancel_at_period_end: sub.cancelAtPeriodEnd,
    canceled_at: sub.canceledAt,
    trial_end: sub.trialEnd,
    started_at: sub.startedAt,
    source_created: extra.created,
  }
  const { subscription_id: _, ...update } = values
  const rows = await db
    .insertInto('saas_billing')
    .values(values)
    .onConflict((oc) =>
      oc
        .column('subscription_id')
        .doUpdateSet(update)
        .where('saas_billing.source_created', '<=', extra.created),
    )
    .returning('subscription_id')
    .execute()
  return rows.length === 1
}

/** The customer's MRR in `currency`: the sum of its subscriptions' mrr_cents (cents). */
export async function sumCustomerMrr(
  db: Db,
  customerId: string,
  currency: string,
): Promise<number> {
  const row = await db
    .selectFrom('saas_billing')
    .select(sql<number>`coalesce(sum(mrr_cents), 0)::bigint`.as('mrr'))
    .where('customer_id', '=', customerId)
    .where('currency', '=', currency)
    .executeTakeFirstOrThrow()
  return Number(row.mrr)
}

/**
 * Recomputes a subscription's dunning start (issue 12 item 2): the `first_failed_at` of its
 * latest invoice (by created; drafts left out: the next period's draft says nothing about payment) while that invoice is `open` with a failure; null once it is paid,
 * voided or uncollectible, when there is none, or when the subscription is canceled.
 * @returns the tenant of the subscription (to refresh), undefined when it is not stored yet
 */
export async function refreshSubscriptionDunning(
  db: Db,
  subscriptionId: string,
): Promise<{ tenantId: string | null } | undefined> {
  const row = await db
    .updateTable('saas_billing')
    .set({
      dunning_started_at: sql`case when saas_billing.status = 'canceled' then null else (
        select case when i.status = 'open' then i.first_failed_at end from saas_invoices i
        where i.subscription_id = saas_billing.subscription_id and i.status <> 'draft'
        order by i.created desc, i.id desc limit 1) end`,
    })
    .where('subscription_id', '=', subscriptionId)
    .returning('tenant_id')
    .executeTakeFirst()
  return row && { tenantId: row.tenant_id }
}
