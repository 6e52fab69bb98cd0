import type { FC } from 'hono/jsx'
import type { BillingRequest } from '../../db/billing-requests.js'
import type { TenantInvoice } from '../../db/tenant-billing.js'
import { Section } from '../components/section.js'
import { formatDate, formatDateTime } from '../format.js'
import { formatMoney, InvoiceBadge } from './tenant-format.js'

// The Billing tab's invoice history (issue 12 item 4), newest first, with the two actions on an
// open invoice (item 5) and the requests still waiting for Stripe's webhook.

export type TenantInvoicesProps = {
  tenantId: string
  invoices: TenantInvoice[]
  /** More invoices exist than shown: a link shows `nextLimit` of them. */
  more: boolean
  nextLimit: number
  pending: BillingRequest[]
  /** saas.billing.edit: the actions are offered. */
  canEdit: boolean
  /** STRIPE_SECRET_KEY is set: the actions can reach Stripe. */
  stripeConfigured: boolean
  /** A refused action to show beside its invoice (422). */
  actionError?: { invoiceId: string; message: string }
}

export const TenantInvoices: FC<TenantInvoicesProps> = (p) => (
  <Section id="invoices" title="Invoices">
    {p.canEdit && !p.stripeConfigured && (
      <p class="m-0 mb-3 text-sm text-slate-700">
        Marking an invoice paid or retrying a charge needs STRIPE_SECRET_KEY on this server.
      </p>
    )}
    {p.invoices.length === 0 ? (
      <p class="m-0 text-sm text-slate-700">No invoices yet.</p>
    ) : (
      <div class="overflow-x-auto">
        <table class="w-full text-sm">
          <thead>
            <tr class="text-left text-slate-600">
              <th scope="col">Number</th>
              <th scope="col">Status</th>
              <th scope="col">Amount</th>
              <th scope="col">Created</th>
              <th scope="col">Due</th>
              <th scope="col">Paid</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Links</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {p.invoices.map((i) => (
              <InvoiceRow {...p} invoice={i} />
            ))}
          </tbody>
        </table>
      </div>
    )}
    {p.more && (
      <p class="m-0 mt-3 text-sm">
        <a href={`/tenants/${p.tenantId}/billing?limit=${p.nextLimit}#invoices`} class="underline">
          Show more invoices
        </a>
      </p>
    )}
  </Section>
)

const REQUEST_LABELS = {
  mark_paid_out_of_band: 'Mark paid',
  retry_charge: 'Retry',
} as const

/**
 * The URL when it is an https: URL, else undefined (no link). Stripe's hosted invoice and PDF
 * URLs are https; a replayed export is unsigned and could carry `javascript:` or any scheme.
 */
export function httpsUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined
  try {
    return new URL(url).protocol === 'https:' ? url : undefined
  } catch {
    return undefined
  }
}

const InvoiceRow: FC<TenantInvoicesProps & { invoice: TenantInvoice }> = (p) => {
  const i = p.invoice
  const label = i.number ?? i.id
  const pending = p.pending.filter((r) => r.invoiceId === i.id)
  const error = p.actionError?.invoiceId === i.id ? p.actionError.message : undefined
  return (
    <tr id={`invoice-${i.id}`}>
      <td>{label}</td>
      <td>
        <InvoiceBadge status={i.status} />
      </td>
      <td>
        {formatMoney(i.amountDueCents, i.currency)} due
        {i.amountPaidCents > 0 && <span>, {formatMoney(i.amountPaidCents, i.currency)} paid</span>}
        {i.amountRefundedCents > 0 && (
          <span>, {formatMoney(i.amountRefundedCents, i.currency)} refunded</span>
        )}
      </td>
      <td>{formatDate(i.created)}</td>
      <td>{formatDate(i.dueDate)}</td>
      <td>
        {i.paidAt ? formatDateTime(i.paidAt) : '—'}
        {i.paidOutOfBand && <span class="ml-1 text-xs text-slate-700">out of band</span>}
      </td>
      <td>{i.attemptCount}</td>
      <td>{formatDateTime(i.nextPaymentAttempt)}</td>
      <td class="space-x-2">
        {httpsUrl(i.hostedInvoiceUrl) && (
          <a href={httpsUrl(i.hostedInvoiceUrl)} rel="noopener noreferrer" class="underline">
            Invoice<span class="sr-only"> {label}</span>
          </a>
        )}
        {httpsUrl(i.invoicePdf) && (
          <a href={httpsUrl(i.invoicePdf)} rel="noopener noreferrer" class="underline">
            PDF<span class="sr-only"> of {label}</span>
          </a>
        )}
      </td>
      <td>
        {pending.map((r) => (
          <p class="m-0 mb-1 text-xs text-slate-800" role="status">
            {REQUEST_LABELS[r.action]} requested by {r.requestedByEmail} at{' '}
            {formatDateTime(r.requestedAt)} — waiting for Stripe
          </p>
        ))}
        {p.canEdit && p.stripeConfigured && i.status === 'open' && (
          <InvoiceActions tenantId={p.tenantId} invoice={i} label={label} />
        )}
        {error && (
          <p id={`invoice-${i.id}-error`} class="m-0 mt-1 text-sm text-red-700" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  )
}

const InvoiceActions: FC<{ tenantId: string; invoice: TenantInvoice; label: string }> = (p) => {
  const action = `/tenants/${p.tenantId}/billing/invoices/${p.invoice.id}/payment`
  return (
    <div class="flex flex-wrap gap-2">
      <form method="post" action={action} class="inline">
        <input type="hidden" name="mode" value="out_of_band" />
        <button type="submit" class="btn-row-activate">
          Mark paid out of band<span class="sr-only"> {p.label}</span>
        </button>
      </form>
      <form method="post" action={action} class="inline">
        <input type="hidden" name="mode" value="retry" />
        <button type="submit" class="btn-row-activate">
          Retry charge now<span class="sr-only"> for {p.label}</span>
        </button>
      </form>
    </div>
  )
}
