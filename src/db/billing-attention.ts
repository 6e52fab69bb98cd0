import { sql } from 'kysely'
import { DAY_MS, renewalDue, RENEWAL_DAYS } from '../billing/mrr.js'
import { scopeCondition } from './billing-overview.js'
import type { Db } from './database.js'
import type { TenantScope } from './tenant-scope.js'

// What /billing lists for attention (issue 12 item 3): subscriptions in their dunning window and
// renewals due soon. Few rows each; one statement each, on saas_billing's own columns.

/** A subscription whose last invoice failed, with that invoice (null when it was not stored). */
export type DunningSubscription = {
  subscriptionId: string
  customerId: string
  tenantId: string | null
  tenantName: string | null
  tenantSlug: string | null
  /** The first failure of the unpaid invoice: the start of the 7-day window (dunningState). */
  dunningStartedAt: Date
  currency: string
  invoiceId: string | null
  invoiceNumber: string | null
  /** Cents of `currency` still due on that invoice (amount_due − amount_paid). */
  amountDueCents: number | null
  attemptCount: number | null
  nextPaymentAttempt: Date | null
}

/**
 * Subscriptions with `dunning_started_at` (kept by the projection), oldest start first — so the
 * fewest days left lead — each with its newest invoice that failed and is still open.
 */
export async function listDunningSubscriptions(
  db: Db,
  scope: TenantScope,
): Promise<DunningSubscription[]> {
  const { rows } = await sql<DunningSubscription>`
    select b.subscription_id as "subscriptionId", b.customer_id as "customerId",
      b.tenant_id as "tenantId", t.name as "tenantName", t.slug as "tenantSlug",
      b.dunning_started_at as "dunningStartedAt", b.currency,
      i.id as "invoiceId", i.number as "invoiceNumber",
      (i.amount_due - i.amount_paid)::bigint as "amountDueCents",
      i.attempt_count as "attemptCount", i.next_payment_attempt as "nextPaymentAttempt"
    from saas_billing b
    left join tenants t on t.id = b.tenant_id
    left join lateral (
      select si.id, si.number, si.amount_due, si.amount_paid, si.attempt_count,
        si.next_payment_attempt
      from saas_invoices si
      where si.customer_id = b.customer_id and si.subscription_id = b.subscription_id
        and si.first_failed_at is not null and si.status = 'open'
      order by si.created desc limit 1) i on true
    where b.dunning_started_at is not null ${scopeCondition(scope, 'b.tenant_id')}
    order by b.dunning_started_at, b.subscription_id`.execute(db)
  return rows
}

/** A subscription whose current period ends within RENEWAL_DAYS. */
export type Renewal = {
  subscriptionId: string
  tenantId: string | null
  tenantName: string | null
  tenantSlug: string | null
  status: string
  productName: string | null
  currency: string
  mrrCents: number
  currentPeriodEnd: Date
  /** It ends at the period end instead of renewing. */
  cancelAtPeriodEnd: boolean
}

/** Renewals /billing lists at most (a fleet on monthly plans renews half of it in 14 days). */
export const SHOWN_RENEWALS = 100

/**
 * Active, past-due and trialing subscriptions whose period ends in [now, now + 14 d]
 * (renewalDue): the SHOWN_RENEWALS soonest, and how many there are in all. On the
 * saas_billing_period_end_idx index.
 */
export async function listRenewals(
  db: Db,
  scope: TenantScope,
  now: Date,
): Promise<{ shown: Renewal[]; total: number }> {
  const until = new Date(now.getTime() + RENEWAL_DAYS * DAY_MS)
  const { rows } = await sql<Renewal & { total: number }>`
    select count(*) over ()::int as total, b.subscription_id as "subscriptionId", b.tenant_id as "tenantId",
      t.name as "tenantName", t.slug as "tenantSlug", b.status, b.product_name as "productName",
      b.currency, b.mrr_cents::bigint as "mrrCents", b.current_period_end as "currentPeriodEnd",
      b.cancel_at_period_end as "cancelAtPeriodEnd"
    from saas_billing b
    left join tenants t on t.id = b.tenant_id
    where b.status in ('active', 'past_due', 'trialing')
      and b.current_period_end >= ${now} and b.current_period_end <= ${until}
      ${scopeCondition(scope, 'b.tenant_id')}
    order by b.current_period_end, b.subscription_id
    limit ${SHOWN_RENEWALS}`.execute(db)
  const shown = rows
    .map(({ total: _, ...r }) => r)
    .filter((r) => renewalDue(r.currentPeriodEnd, now))
  return { shown, total: rows[0]?.total ?? 0 }
}
