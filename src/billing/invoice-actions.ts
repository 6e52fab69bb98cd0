import { randomUUID } from 'node:crypto'
import Stripe from 'stripe'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import { insertBillingRequest, listPendingBillingRequests } from '../db/billing-requests.js'
import type { Db } from '../db/database.js'
import type { BillingRequestAction } from '../db/schema.js'
import { findInvoice } from '../db/tenant-billing.js'

// "Mark invoice paid out of band" and "Retry charge now" (issue 12 item 5): asked of Stripe's API,
// never written into the projection here. The projection changes when Stripe's webhook for the
// invoice arrives, like every other change; until then the request is pending and the tab says so.
// Two admins asking at the same instant both reach Stripe, and Stripe is the arbiter: paying an
// invoice that is no longer open is refused there (invoice_not_open), so nothing is paid twice.

export type PaymentMode = 'out_of_band' | 'retry'

export const PAYMENT_MODES: readonly PaymentMode[] = ['out_of_band', 'retry']

const ACTIONS: Record<PaymentMode, BillingRequestAction> = {
  out_of_band: 'mark_paid_out_of_band',
  retry: 'retry_charge',
}

const AUDIT_ACTIONS: Record<PaymentMode, string> = {
  out_of_band: 'billing.invoice.mark_paid_requested',
  retry: 'billing.invoice.retry_requested',
}

export type InvoicePaymentResult =
  | { ok: true; requestId: string; invoiceNumber: string; stripeStatus: string }
  /** STRIPE_SECRET_KEY is not set: no API call is possible. */
  | { ok: false; reason: 'stripe_not_configured' }
  /** No such invoice, or it is another tenant's. */
  | { ok: false; reason: 'invoice_not_found' }
  /** The projection says the invoice is not open (`status`: paid, void, draft, uncollectible). */
  | { ok: false; reason: 'invoice_not_open'; status: string }
  /** A request of this mode made earlier is still waiting for Stripe's webhook. */
  | { ok: false; reason: 'already_requested'; requestedByEmail: string; requestedAt: Date }
  /** Stripe refused the call; `message` is Stripe's own (card_declined, …), `code` its code. */
  | { ok: false; reason: 'stripe_refused'; message: string; code: string | null }

/**
 * Asks Stripe to pay one of the tenant's open invoices: `out_of_band` calls
 * `POST /v1/invoices/:id/pay` with `paid_out_of_band=true` (the customer paid by bank transfer),
 * `retry` calls it without (charge the payment method on file now). The call carries the
 * idempotency key `fleetdeck-<request uuid>`, so the SDK's retry of a lost answer cannot pay twice.
 * On Stripe's success, ONE transaction records the billing_requests row (stripe_status = the status
 * Stripe answered) and the audit entry (`billing.invoice.mark_paid_requested` |
 * `billing.invoice.retry_requested`, target the invoice). saas_invoices is left as it is.
 * Expected refusals are values (see InvoicePaymentResult), Stripe's errors included (its message,
 * never a stack or the key; Stripe unreachable is one too); anything else (a bug) throws.
 */
export async function requestInvoicePayment(
  db: Db,
  ctx: AuditContext,
  stripe: Stripe | undefined,
  input: { tenantId: string; invoiceId: string; mode: PaymentMode },
  now: Date,
): Promise<InvoicePaymentResult> {
  if (!stripe) return { ok: false, reason: 'stripe_not_configured' }
  const invoice = await findInvoice(db, input.invoiceId)
  if (!invoice || invoice.tenantId !== input.tenantId)
    return { ok: false, reason: 'invoice_not_found' }
  if (invoice.status !== 'open')
    return { ok: false, reason: 'invoice_not_open', status: invoice.status }
  const action = ACTIONS[input.mode]
  const pending = await listPendingBillingRequests(db, [invoice.id], now)
  const same = pending.find((r) => r.action === action)
  if (same)
    return {
      ok: false,
      reason: 'already_requested',
      requestedByEmail: same.requestedByEmail,
      requestedAt: same.requestedAt,
    }
  const requestId = randomUUID()
  let answered: Stripe.Invoice
  try {
    answered = await stripe.invoices.pay(
      invoice.id,
      input.mode === 'out_of_band' ? { paid_out_of_band: true } : {},
      { idempotencyKey: `fleetdeck-${requestId}` },
    )
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeError)) throw err
    return { ok: false, reason: 'stripe_refused', message: err.message, code: err.code ?? null }
  }
  const stripeStatus = answered.status ?? 'unknown'
  await db.transaction().execute(async (trx) => {
    await insertBillingRequest(trx, {
      id: requestId,
      invoiceId: invoice.id,
      tenantId: input.tenantId,
      action,
      requestedBy: ctx.actor?.id ?? null,
      requestedByEmail: ctx.actor?.email ?? 'system',
      requestedAt: now,
      stripeStatus,
    })
    await appendAuditEntry(
      trx,
      ctx,
      {
        action: AUDIT_ACTIONS[input.mode],
        targetType: 'invoice',
        targetId: invoice.id,
        tenantId: input.tenantId,
        before: { status: invoice.status, amountDue: invoice.amountDueCents },
        after: { requestedMode: input.mode, stripeStatus },
      },
      now,
    )
  })
  return { ok: true, requestId, invoiceNumber: invoice.number ?? invoice.id, stripeStatus }
}
