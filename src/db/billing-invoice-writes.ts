import { sql } from 'kysely'
import type { InvoiceInput } from '../billing/stripe-shapes.js'
import type { Db } from './database.js'

// saas_invoices as the projection writes it (issue 12 item 2).

/**
 * Inserts or replaces an invoice with an event's state unless the stored row comes from a newer
 * event (`source_created` > `created`; equal seconds apply). `amount_refunded` (from
 * charge.refunded) and `first_failed_at` are kept; `failedAt` (the created of an
 * invoice.payment_failed) sets `first_failed_at` when it is still empty or later — even when the
 * rest of an older event is not applied, since the failure did happen.
 * @returns false when the event was older and its state was not written
 */
export async function upsertInvoice(
  db: Db,
  invoice: InvoiceInput,
  extra: { tenantId: string | null; created: Date; failedAt: Date | null },
): Promise<boolean> {
  const values = {
    id: invoice.id,
    customer_id: invoice.customerId,
    subscription_id: invoice.subscriptionId,
    tenant_id: extra.tenantId,
    number: invoice.number,
    status: invoice.status,
    amount_due: invoice.amountDue,
    amount_paid: invoice.amountPaid,
    currency: invoice.currency,
    created: invoice.created,
    due_date: invoice.dueDate,
    paid_at: invoice.paidAt,
    paid_out_of_band: invoice.paidOutOfBand,
    attempt_count: invoice.attemptCount,
    next_payment_attempt: invoice.nextPaymentAttempt,
    first_failed_at: extra.failedAt,
    hosted_invoice_url: invoice.hostedInvoiceUrl,
    invoice_pdf: invoice.invoicePdf,
    payment_intent_id: invoice.paymentIntentId,
    charge_id: invoice.chargeId,
    source_created: extra.created,
  }
  const { id: _, first_failed_at: __, payment_intent_id: pi, charge_id: ch, ...update } = values
  const rows = await db
    .insertInto('saas_invoices')
    .values(values)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({
          ...update,
          payment_intent_id: sql`coalesce(${pi}, saas_invoices.payment_intent_id)`,
          charge_id: sql`coalesce(${ch}, saas_invoices.charge_id)`,
          first_failed_at: sql`least(saas_invoices.first_failed_at, excluded.first_failed_at)`,
        })
        .where('saas_invoices.source_created', '<=', extra.created),
    )
    .returning('id')
    .execute()
  if (rows.length === 1) return true
  if (extra.failedAt) {
    await db
      .updateTable('saas_invoices')
      .set({ first_failed_at: sql`least(first_failed_at, ${extra.failedAt}::timestamptz)` })
      .where('id', '=', invoice.id)
      .execute()
  }
  return false
}

/**
 * A charge's refund on its invoice (charge.refunded): found by the charge's `invoice` (older API
 * versions) or by the invoice's stored charge or payment intent. `amount_refunded` is the charge's
 * running total, so the larger of stored and new is kept (order-proof, idempotent).
 * @returns the invoice's id and tenant, undefined when no stored invoice matches
 */
export async function recordInvoiceRefund(
  db: Db,
  charge: {
    id: string
    invoiceId: string | null
    paymentIntentId: string | null
    amountRefunded: number
  },
): Promise<{ id: string; tenantId: string | null } | undefined> {
  const row = await db
    .updateTable('saas_invoices')
    .set({ amount_refunded: sql`greatest(amount_refunded, ${charge.amountRefunded}::bigint)` })
    .where((eb) =>
      eb.or([
        ...(charge.invoiceId ? [eb('id', '=', charge.invoiceId)] : []),
        eb('charge_id', '=', charge.id),
        ...(charge.paymentIntentId ? [eb('payment_intent_id', '=', charge.paymentIntentId)] : []),
      ]),
    )
    .returning(['id', 'tenant_id'])
    .executeTakeFirst()
  return row && { id: row.id, tenantId: row.tenant_id }
}
