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
  /** The invoice status Stripe answered the API call with (`paid`, `open`…). */
  stripeStatus: string | null
}

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
 * The requests still waiting for Stripe on these invoices, newest first: the invoice is still
 * `draft` or `open` in the projection, no Stripe event about it was applied after the request
 * (an `invoice.payment_failed` answers a retry), and it was made less than 24 h before `now`
 * (a webhook that never comes does not block the actions for ever).
 */
export async function listPendingBillingRequests(
  db: Db,
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
    .where(sql<boolean>`i.source_created <= r.requested_at`)
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
