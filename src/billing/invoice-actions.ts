import { randomUUID } from 'node:crypto'
import Stripe from 'stripe'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import {
  insertBillingRequest,
  listPendingBillingRequests,
  lockInvoiceForRequest,
  setBillingRequestStatus,
} from '../db/billing-requests.js'
import type { Db } from '../db/database.js'
import type { BillingRequestAction } from '../db/schema.js'
import { findInvoice } from '../db/tenant-billing.js'

// "Mark invoice paid out of band" and "Retry charge now" (issue 12 item 5): asked of Stripe's API,
// never written into the projection here. The projection changes when Stripe's webhook for the
// invoice arrives, like every other change; until then the request is pending and the tab says so.
// The request and its audit entry are committed BEFORE Stripe is called, under a lock on the
// invoice row: a second click (another admin, a double-submitted form) waits for the lock, then
// sees the first request pending and is refused without reaching Stripe. Whatever Stripe answers
// is then recorded; if that second write fails, the committed request already says it was asked.

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
  /**
   * Stripe refused the call (StripeCardError, StripeInvalidRequestError): `message` is Stripe's
   * own, safe to show (card_declined, invoice_not_open…), `code` its code.
   */
  | { ok: false; reason: 'stripe_refused'; message: string; code: string | null }
  /**
   * No usable answer: Stripe unreachable, the key refused (401/403), rate limited, Stripe's own
   * error. `detail` (the SDK's message; may hold a masked key or a host) is for the log only,
   * never for the page; `stripeRequestId` is Stripe's request id when it answered.
   */
  | {
      ok: false
      reason: 'stripe_unreachable'
      stripeRequestId: string | null
      errorType: string
      detail: string
    }

/**
 * Asks Stripe to pay one of the tenant's open invoices: `out_of_band` calls
 * `POST /v1/invoices/:id/pay` with `paid_out_of_band=true` (the customer paid by bank transfer),
 * `retry` calls it without (charge the payment method on file now).
 * 1. One transaction: lock the invoice row, check it is the tenant's and open, re-check the
 *    pending requests, insert the billing_requests row (stripe_status `sending`) and the audit
 *    entry (`billing.invoice.mark_paid_requested` | `billing.invoice.retry_requested`); commit.
 * 2. Call Stripe with the idempotency key `fleetdeck-<request id>` (the SDK's retry of a lost
 *    answer cannot pay twice).
 * 3. One transaction: stripe_status = the invoice status Stripe answered; on an error `refused`
 *    (or `unreachable`), so the request no longer counts as pending, with the audit entry
 *    `billing.invoice.payment_request_refused` (Stripe's code, or the error's type).
 * saas_invoices is left as it is. Expected refusals are values (see InvoicePaymentResult);
 * anything else (a bug) throws.
 */
export async function requestInvoicePayment(
  db: Db,
  ctx: AuditContext,
  stripe: Stripe | undefined,
  input: { tenantId: string; invoiceId: string; mode: PaymentMode },
  now: Date,
): Promise<InvoicePaymentResult> {
  if (!stripe) return { ok: false, reason: 'stripe_not_configured' }
  const asked = await recordRequest(db, ctx, input, now)
  if (!asked.ok) return asked
  const { requestId, invoiceNumber } = asked
  let answered: Stripe.Invoice
  try {
    answered = await stripe.invoices.pay(
      input.invoiceId,
      input.mode === 'out_of_band' ? { paid_out_of_band: true } : {},
      { idempotencyKey: `fleetdeck-${requestId}` },
    )
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeError)) throw err
    const refusal = refusalOf(err)
    await recordRefusal(db, ctx, input, requestId, refusal, now)
    return refusal
  }
  const stripeStatus = answered.status ?? 'unknown'
  await db.transaction().execute((trx) => setBillingRequestStatus(trx, requestId, stripeStatus))
  return { ok: true, requestId, invoiceNumber, stripeStatus }
}

type Refusal = Extract<InvoicePaymentResult, { reason: 'stripe_refused' | 'stripe_unreachable' }>

/** Stripe's message is shown only for a card or invalid-request error; the rest is logged. */
function refusalOf(err: Stripe.errors.StripeError): Refusal {
  if (
    err instanceof Stripe.errors.StripeCardError ||
    err instanceof Stripe.errors.StripeInvalidRequestError
  )
    return { ok: false, reason: 'stripe_refused', message: err.message, code: err.code ?? null }
  return {
    ok: false,
    reason: 'stripe_unreachable',
    stripeRequestId: err.requestId ?? null,
    errorType: err.type,
    detail: err.message,
  }
}

async function recordRequest(
  db: Db,
  ctx: AuditContext,
  input: { tenantId: string; invoiceId: string; mode: PaymentMode },
  now: Date,
): Promise<InvoicePaymentResult & ({ ok: false } | { ok: true; invoiceNumber: string })> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockInvoiceForRequest(trx, input.invoiceId)
    if (!locked || locked.tenantId !== input.tenantId)
      return { ok: false as const, reason: 'invoice_not_found' as const }
    const invoice = (await findInvoice(trx, input.invoiceId))!
    if (invoice.status !== 'open')
      return { ok: false as const, reason: 'invoice_not_open' as const, status: invoice.status }
    const action = ACTIONS[input.mode]
    const pending = await listPendingBillingRequests(trx, [invoice.id], now)
    const same = pending.find((r) => r.action === action)
    if (same)
      return {
        ok: false as const,
        reason: 'already_requested' as const,
        requestedByEmail: same.requestedByEmail,
        requestedAt: same.requestedAt,
      }
    const requestId = randomUUID()
    await insertBillingRequest(trx, {
      id: requestId,
      invoiceId: invoice.id,
      tenantId: input.tenantId,
      action,
      requestedBy: ctx.actor?.id ?? null,
      requestedByEmail: ctx.actor?.email ?? 'system',
      requestedAt: now,
      stripeStatus: 'sending',
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
        after: { requestedMode: input.mode, requestId },
      },
      now,
    )
    return {
      ok: true as const,
      requestId,
      invoiceNumber: invoice.number ?? invoice.id,
      stripeStatus: 'sending',
    }
  })
}

async function recordRefusal(
  db: Db,
  ctx: AuditContext,
  input: { tenantId: string; invoiceId: string; mode: PaymentMode },
  requestId: string,
  refusal: Refusal,
  now: Date,
): Promise<void> {
  const refused = refusal.reason === 'stripe_refused'
  await db.transaction().execute(async (trx) => {
    await setBillingRequestStatus(trx, requestId, refused ? 'refused' : 'unreachable')
    await appendAuditEntry(
      trx,
      ctx,
      {
        action: 'billing.invoice.payment_request_refused',
        targetType: 'invoice',
        targetId: input.invoiceId,
        tenantId: input.tenantId,
        after: {
          requestedMode: input.mode,
          requestId,
          code: refused ? refusal.code : null,
          errorType: refused ? null : refusal.errorType,
          stripeRequestId: refused ? null : refusal.stripeRequestId,
        },
      },
      now,
    )
  })
}
