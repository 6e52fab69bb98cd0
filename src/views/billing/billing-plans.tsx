import type { FC } from 'hono/jsx'
import type { PlanSubscriptions, UnmatchedCustomer } from '../../db/billing-plans.js'
import { Button } from '../components/button.js'
import { formatDate } from '../format.js'
import { currencyLabel, formatMoney } from './money.js'

// /billing's subscriptions by plan, and the Stripe customers no tenant claims with the form that
// links one to a tenant by slug (saas.billing.edit, step-up; the link is audited).

/** A refused link, shown next to that customer's slug field (422). */
export type LinkError = { customerId: string; slug: string; message: string }

const every = (n: number | null, interval: string | null) =>
  !interval ? '—' : n && n > 1 ? `every ${n} ${interval}s` : `per ${interval}`

export const PlansTable: FC<{ rows: PlanSubscriptions[] }> = (p) => {
  if (p.rows.length === 0) return <p class="m-0 text-sm text-slate-600">No subscriptions.</p>
  return (
    <table class="w-full text-sm" id="plans-table">
      <thead>
        <tr class="text-left text-slate-600">
          <th scope="col">Plan</th>
          <th scope="col">Billed</th>
          <th scope="col">Currency</th>
          <th scope="col">Paying</th>
          <th scope="col">MRR</th>
          <th scope="col">Trialing</th>
          <th scope="col">Active</th>
          <th scope="col">Past due</th>
          <th scope="col">Canceled this month</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <tr>
            <td>
              {r.productName ?? 'Unnamed product'}
              {r.priceId && <span class="block text-xs text-slate-600">{r.priceId}</span>}
            </td>
            <td>{every(r.intervalCount, r.interval)}</td>
            <td>{currencyLabel(r.currency)}</td>
            <td>{r.paying}</td>
            <td>{formatMoney(r.mrrCents, r.currency)}</td>
            <td>{r.trialing}</td>
            <td>{r.active}</td>
            <td>{r.pastDue}</td>
            <td>{r.canceledThisMonth}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export const UnmatchedCustomers: FC<{
  shown: UnmatchedCustomer[]
  total: number
  canEdit: boolean
  error?: LinkError
}> = (p) => {
  if (p.total === 0)
    return <p class="m-0 text-sm text-slate-600">Every Stripe customer belongs to a tenant.</p>
  return (
    <>
      <p class="m-0 mb-2 text-sm text-slate-600">
        No tenant matched these customers by metadata.tenant_id or billing email.
        {p.canEdit && ' Link one to a tenant by its slug; its subscriptions and invoices follow.'}
      </p>
      <table class="w-full text-sm" id="unmatched-table">
        <thead>
          <tr class="text-left text-slate-600">
            <th scope="col">Customer</th>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">MRR</th>
            {p.canEdit && <th scope="col">Link to tenant</th>}
          </tr>
        </thead>
        <tbody>
          {p.shown.map((c) => (
            <UnmatchedRow
              customer={c}
              canEdit={p.canEdit}
              error={p.error?.customerId === c.id ? p.error : undefined}
            />
          ))}
        </tbody>
      </table>
      {p.total > p.shown.length && (
        <p class="m-0 mt-2 text-sm text-slate-600">
          {p.total - p.shown.length} more unmatched customers, older ones.
        </p>
      )}
    </>
  )
}

const UnmatchedRow: FC<{ customer: UnmatchedCustomer; canEdit: boolean; error?: LinkError }> = (
  p,
) => {
  const c = p.customer
  const id = `link-${c.id}`
  return (
    <tr id={`unmatched-${c.id}`}>
      <td>{c.id}</td>
      <td>{c.email ?? '—'}</td>
      <td>{c.name ?? '—'}</td>
      <td>{formatDate(c.created)}</td>
      <td>
        {c.mrr.length === 0
          ? '—'
          : c.mrr.map((m) => formatMoney(m.mrrCents, m.currency)).join(', ')}
      </td>
      {p.canEdit && (
        <td>
          <form method="post" action={`/billing/customers/${encodeURIComponent(c.id)}/tenant`}>
            <label for={id} class="sr-only">
              Tenant slug for {c.id}
            </label>
            <input
              id={id}
              name="slug"
              type="text"
              value={p.error?.slug}
              required
              aria-invalid={p.error ? 'true' : undefined}
              aria-describedby={p.error ? `${id}-error` : undefined}
              class={`rounded border px-2 py-1 text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
            />{' '}
            <Button kind="plain">Link</Button>
            {p.error && (
              <p id={`${id}-error`} class="m-0 mt-1 text-sm text-red-700">
                {p.error.message}
              </p>
            )}
          </form>
        </td>
      )}
    </tr>
  )
}
