import type { FC } from 'hono/jsx'
import { dunningState } from '../../billing/mrr.js'
import type { DunningSubscription, Renewal } from '../../db/billing-attention.js'
import { formatDate, formatDateTime } from '../format.js'
import { TenantLink } from './billing-tenant-link.js'
import { formatMoney } from './money.js'

// /billing's lists that ask for attention: tenants in their 7-day dunning window (least days left
// first, "suggest suspend" once it is over — the console never suspends on its own) and the
// renewals due within 14 days.

export const DunningTable: FC<{ rows: DunningSubscription[]; now: Date }> = (p) => {
  if (p.rows.length === 0) return <p class="m-0 text-sm text-slate-600">No failed payments.</p>
  return (
    <table class="w-full text-sm" id="dunning-table">
      <thead>
        <tr class="text-left text-slate-600">
          <th scope="col">Tenant</th>
          <th scope="col">First failure</th>
          <th scope="col">Days left</th>
          <th scope="col">Amount due</th>
          <th scope="col">Attempts</th>
          <th scope="col">Next attempt</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <DunningRow row={r} now={p.now} />
        ))}
      </tbody>
    </table>
  )
}

const DunningRow: FC<{ row: DunningSubscription; now: Date }> = ({ row: r, now }) => {
  const state = dunningState(r.dunningStartedAt, now)
  const daysLeft = state.inDunning ? state.daysLeft : 0
  const suggest = state.inDunning && state.suggestSuspend
  return (
    <tr id={`dunning-${r.subscriptionId}`} class={suggest ? 'bg-amber-50' : undefined}>
      <td>
        <TenantLink id={r.tenantId} name={r.tenantName} fallback={r.customerId} />
      </td>
      <td>{formatDateTime(r.dunningStartedAt)}</td>
      <td>
        {daysLeft}{' '}
        {suggest && r.tenantId && (
          <a
            href={`/tenants/${r.tenantId}`}
            class="rounded bg-amber-200 px-2 py-0.5 text-xs font-medium text-amber-900 no-underline"
          >
            Suggest suspend
          </a>
        )}
        {suggest && !r.tenantId && (
          <span class="rounded bg-amber-200 px-2 py-0.5 text-xs font-medium text-amber-900">
            Suggest suspend
          </span>
        )}
      </td>
      <td>{r.amountDueCents === null ? '—' : formatMoney(r.amountDueCents, r.currency)}</td>
      <td>{r.attemptCount ?? '—'}</td>
      <td>{formatDateTime(r.nextPaymentAttempt)}</td>
    </tr>
  )
}

export const RenewalsTable: FC<{ rows: Renewal[]; total: number }> = (p) => {
  if (p.rows.length === 0)
    return <p class="m-0 text-sm text-slate-600">No renewals in the next 14 days.</p>
  return (
    <>
      <table class="w-full text-sm" id="renewals-table">
        <thead>
          <tr class="text-left text-slate-600">
            <th scope="col">Tenant</th>
            <th scope="col">Plan</th>
            <th scope="col">Status</th>
            <th scope="col">Period ends</th>
            <th scope="col">Then</th>
            <th scope="col">MRR</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr id={`renewal-${r.subscriptionId}`}>
              <td>
                <TenantLink id={r.tenantId} name={r.tenantName} fallback={r.subscriptionId} />
              </td>
              <td>{r.productName ?? '—'}</td>
              <td>{r.status}</td>
              <td>{formatDate(r.currentPeriodEnd)}</td>
              <td>
                {r.cancelAtPeriodEnd ? 'ends' : r.status === 'trialing' ? 'trial ends' : 'renews'}
              </td>
              <td>{formatMoney(r.mrrCents, r.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.total > p.rows.length && (
        <p class="m-0 mt-2 text-sm text-slate-600" id="renewals-more">
          {p.total - p.rows.length} more renew later in the 14 days.
        </p>
      )}
    </>
  )
}
