import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { BillingRequestAction, Database } from './schema.js'

// billing_requests (issue 12 item 5): what an admin asked of Stripe for an invoice. The request
// is not the change: the projection changes when Stripe's webhook arrives, and until then the
// request is "pending" and the tab says "waiting for Stripe".

/** How long a request stays pending without an answer from the webhook (24 h, in ms). */
export const PENDING_REQUEST_MS = 24 * 3600 * 1000

export type BillingRequest = {
  id: string
  invoiceId: string
  tenantId: string | null
  action: BillingRequestAction
  requestedBy: string | null
  requestedByEmail: string
  requestedAt: Date
  /**
   * `sending` while the call to Stripe is under way (recorded before it, so a second click sees
   * it), then the invoice status Stripe answered with (`paid`, `open`…), or `refused` (Stripe
   * answered with an error) / `unreachable` (no answer, or the key was refused).
   */
  stripeStatus: string | null
}

/** The stripe_status values that end a request without Stripe acting: it no longer waits. */
export const ENDED_REQUEST_STATUSES = ['refused', 'unreachable'] as const

/** Records one request; run in the transaction that writes its audit entry. */
export async function insertBillingRequest(
  trx: Transaction<Database>,
  request: BillingRequest,
): Promise<void> {
  await trx
    .insertInto('billing_requests')
    .values({
      id: request.id,
      invoice_id: request.invoiceId,
      tenant_id: request.tenantId,
      action: request.action,
      requested_by: request.requestedBy,
      requested_by_email: request.requestedByEmail,
      requested_at: request.requestedAt,
      stripe_status: request.stripeStatus,
    })
    .execute()
}

/**
 * Locks the invoice's saas_invoices row (`select … for update`) until `trx` ends, so two requests
 * for one invoice check for pending requests one after the other. Returns its tenant and status,
 * or undefined when there is no such invoice.
 */
export async function lockInvoiceForRequest(
  trx: Transaction<Database>,
  invoiceId: string,
): Promise<{ tenantId: string | null; status: string } | undefined> {
  const row = await trx
    .selectFrom('saas_invoices')
    .select(['tenant_id', 'status'])
    .where('id', '=', invoiceId)
    .forUpdate()
    .executeTakeFirst()
  return row && { tenantId: row.tenant_id, status: row.status }
}

/** Records what Stripe answered (`paid`, `open`, `refused`, `unreachable`) for request `id`. */
export async function setBillingRequestStatus(
  trx: Transaction<Database>,
  id: string,
  stripeStatus: string,
): Promise<void> {
  await trx
    .updateTable('billing_requests')
    .set({ stripe_status: stripeStatus })
    .where('id', '=', id)
    .execute()
}

/**
 * The requests still waiting for Stripe on these invoices, newest first: the invoice is still
 * `draft` or `open` in the projection, Stripe did not refuse it (stripe_status not `refused` /
 * `unreachable`), no Stripe event about it was applied after the request (an
 * `invoice.payment_failed` answers a retry), and it was made less than 24 h before `now` (a
 * webhook that never comes does not block the actions for ever). "After" allows for Stripe's
 * whole-second `created` and a few seconds of clock skew: an event created from 5 s before the
 * request's second on counts as the answer (source_created is Stripe's seconds, requested_at the
 * app's milliseconds).
 */
const ENDED: string[] = [...ENDED_REQUEST_STATUSES]

export async function listPendingBillingRequests(
  db: Db | Transaction<Database>,
  invoiceIds: readonly string[],
  now: Date,
): Promise<BillingRequest[]> {
  if (invoiceIds.length === 0) return []
  const rows = await db
    .selectFrom('billing_requests as r')
    .innerJoin('saas_invoices as i', 'i.id', 'r.invoice_id')
    .selectAll('r')
    .where('r.invoice_id', 'in', invoiceIds)
    .where('i.status', 'in', ['draft', 'open'])
    .where((eb) =>
      eb.or([eb('r.stripe_status', 'is', null), eb('r.stripe_status', 'not in', ENDED)]),
    )
    .where(
      sql<boolean>`i.source_created < date_trunc('second', r.requested_at) - interval '5 seconds'`,
    )
    .where('r.requested_at', '>', new Date(now.getTime() - PENDING_REQUEST_MS))
    .orderBy('r.requested_at', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    invoiceId: r.invoice_id,
    tenantId: r.tenant_id,
    action: r.action,
    requestedBy: r.requested_by,
    requestedByEmail: r.requested_by_email,
    requestedAt: r.requested_at,
    stripeStatus: r.stripe_status,
  }))
}
