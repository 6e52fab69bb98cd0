import { sql } from 'kysely'
import type { BillingDiscount, BillingItem } from '../billing/mrr.js'
import type { Db } from './database.js'

// The reads of a tenant's Billing tab (issue 12 item 4): its subscriptions, Stripe customers
// (with the card on file) and invoices, all from the webhook projection. Amounts are integer cents
// of the row's currency; times are Dates (Stripe's Unix seconds converted by the projection).

/** One Stripe subscription of the tenant (a row of saas_billing). */
export type TenantSubscription = {
  subscriptionId: string
  customerId: string
  /** Stripe's status: trialing, active, past_due, unpaid, canceled, paused, incomplete… */
  status: string
  priceId: string | null
  productName: string | null
  interval: string | null
  intervalCount: number | null
  quantity: number | null
  currency: string
  items: BillingItem[]
  discounts: BillingDiscount[]
  mrrCents: number
  currentPeriodEnd: Date | null
  cancelAtPeriodEnd: boolean
  canceledAt: Date | null
  trialEnd: Date | null
  dunningStartedAt: Date | null
}

/** A Stripe customer matched to the tenant, with its default card (null fields when none). */
export type TenantCustomer = {
  id: string
  email: string | null
  name: string | null
  matchedBy: string | null
  deleted: boolean
  card: { brand: string; last4: string; expMonth: number; expYear: number } | null
}

/** One invoice of the tenant (a row of saas_invoices). */
export type TenantInvoice = {
  id: string
  /** Null while its customer is unmatched. */
  tenantId: string | null
  customerId: string
  subscriptionId: string | null
  number: string | null
  /** draft | open | paid | void | uncollectible */
  status: string
  amountDueCents: number
  amountPaidCents: number
  amountRefundedCents: number
  currency: string
  created: Date
  dueDate: Date | null
  paidAt: Date | null
  paidOutOfBand: boolean
  attemptCount: number
  nextPaymentAttempt: Date | null
  firstFailedAt: Date | null
  hostedInvoiceUrl: string | null
  invoicePdf: string | null
  /** `created` of the newest Stripe event applied to the invoice. */
  sourceCreated: Date
}

/** The tenant's subscriptions, live ones first (canceled last), then newest period end first. */
export async function listTenantSubscriptions(
  db: Db,
  tenantId: string,
): Promise<TenantSubscription[]> {
  const rows = await db
    .selectFrom('saas_billing')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy(sql`status = 'canceled'`)
    .orderBy('current_period_end', (ob) => ob.desc().nullsLast())
    .orderBy('subscription_id')
    .execute()
  return rows.map((r) => ({
    subscriptionId: r.subscription_id,
    customerId: r.customer_id,
    status: r.status,
    priceId: r.price_id,
    productName: r.product_name,
    interval: r.interval,
    intervalCount: r.interval_count,
    quantity: r.quantity,
    currency: r.currency,
    items: r.items as BillingItem[],
    discounts: r.discounts as BillingDiscount[],
    mrrCents: Number(r.mrr_cents),
    currentPeriodEnd: r.current_period_end,
    cancelAtPeriodEnd: r.cancel_at_period_end,
    canceledAt: r.canceled_at,
    trialEnd: r.trial_end,
    dunningStartedAt: r.dunning_started_at,
  }))
}

/** The Stripe customers matched or linked to the tenant, oldest first. */
export async function listTenantCustomers(db: Db, tenantId: string): Promise<TenantCustomer[]> {
  const rows = await db
    .selectFrom('billing_customers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    matchedBy: r.matched_by,
    deleted: r.deleted,
    card:
      r.card_brand && r.card_last4 && r.card_exp_month !== null && r.card_exp_year !== null
        ? {
            brand: r.card_brand,
            last4: r.card_last4,
            expMonth: r.card_exp_month,
            expYear: r.card_exp_year,
          }
        : null,
  }))
}

/**
 * The tenant's invoices, newest first, at most `limit` of them, and whether there are more
 * (one statement: it reads limit + 1 rows).
 */
export async function listTenantInvoices(
  db: Db,
  tenantId: string,
  limit: number,
): Promise<{ invoices: TenantInvoice[]; more: boolean }> {
  const rows = await db
    .selectFrom('saas_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute()
  return { invoices: rows.slice(0, limit).map(toInvoice), more: rows.length > limit }
}

/** One invoice, or undefined when Stripe's id is unknown here. */
export async function findInvoice(db: Db, invoiceId: string): Promise<TenantInvoice | undefined> {
  const row = await db
    .selectFrom('saas_invoices')
    .selectAll()
    .where('id', '=', invoiceId)
    .executeTakeFirst()
  return row && toInvoice(row)
}

function toInvoice(r: {
  id: string
  tenant_id: string | null
  customer_id: string
  subscription_id: string | null
  number: string | null
  status: string
  amount_due: number
  amount_paid: number
  amount_refunded: number
  currency: string
  created: Date
  due_date: Date | null
  paid_at: Date | null
  paid_out_of_band: boolean
  attempt_count: number
  next_payment_attempt: Date | null
  first_failed_at: Date | null
  hosted_invoice_url: string | null
  invoice_pdf: string | null
  source_created: Date
}): TenantInvoice {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    customerId: r.customer_id,
    subscriptionId: r.subscription_id,
    number: r.number,
    status: r.status,
    amountDueCents: Number(r.amount_due),
    amountPaidCents: Number(r.amount_paid),
    amountRefundedCents: Number(r.amount_refunded),
    currency: r.currency,
    created: r.created,
    dueDate: r.due_date,
    paidAt: r.paid_at,
    paidOutOfBand: r.paid_out_of_band,
    attemptCount: r.attempt_count,
    nextPaymentAttempt: r.next_payment_attempt,
    firstFailedAt: r.first_failed_at,
    hostedInvoiceUrl: r.hosted_invoice_url,
    invoicePdf: r.invoice_pdf,
    sourceCreated: r.source_created,
  }
}

/** What the tenant page's compact Billing section shows (one indexed query on saas_billing). */
export type TenantBillingSummary = {
  /** The status of the tenant's main subscription (live before canceled), or null without one. */
  status: string | null
  subscriptions: number
}

/** The tenant page's billing summary: one query over the tenant's saas_billing rows. */
export async function findTenantBillingSummary(
  db: Db,
  tenantId: string,
): Promise<TenantBillingSummary> {
  const row = await db
    .selectFrom('saas_billing')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      sql<
        string | null
      >`(array_agg(status order by status = 'canceled', current_period_end desc nulls last))[1]`.as(
        'status',
      ),
    ])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return { status: row?.status ?? null, subscriptions: Number(row?.n ?? 0) }
}
