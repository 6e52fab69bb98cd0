import type { FC } from 'hono/jsx'
import { dunningState } from '../../billing/mrr.js'

// Billing badges shared by the tenant's Billing tab, the tenant page and the tenants table
// (issue 12 item 4). Money is formatted by ./money.ts (shared with /billing).

export { formatMoney } from './money.js'

const SUBSCRIPTION_STYLES: Record<string, string> = {
  active: 'bg-emerald-100 text-emerald-800',
  trialing: 'bg-sky-100 text-sky-800',
  past_due: 'bg-amber-100 text-amber-900',
  unpaid: 'bg-red-100 text-red-800',
  canceled: 'bg-slate-200 text-slate-700',
  paused: 'bg-slate-100 text-slate-800',
}

/** Stripe's subscription status, readable: "past due", "trialing". */
export const SubscriptionBadge: FC<{ status: string }> = ({ status }) => (
  <span class={`badge ${SUBSCRIPTION_STYLES[status] ?? 'bg-slate-100 text-slate-800'}`}>
    {status.replace(/_/g, ' ')}
  </span>
)

const INVOICE_STYLES: Record<string, string> = {
  paid: 'bg-emerald-100 text-emerald-800',
  open: 'bg-amber-100 text-amber-900',
  draft: 'bg-slate-100 text-slate-800',
  void: 'bg-slate-200 text-slate-700',
  uncollectible: 'bg-red-100 text-red-800',
}

export const InvoiceBadge: FC<{ status: string }> = ({ status }) => (
  <span class={`badge ${INVOICE_STYLES[status] ?? 'bg-slate-100 text-slate-800'}`}>{status}</span>
)

/**
 * "Dunning · 3 days left" inside the 7-day window, "Suggest suspend" after it (src/billing/mrr.ts
 * dunningState; the console never suspends on its own); nothing outside dunning.
 */
export const DunningBadge: FC<{ startedAt: Date | null; now: Date }> = ({ startedAt, now }) => {
  const state = dunningState(startedAt, now)
  if (!state.inDunning) return null
  if (state.suggestSuspend)
    return (
      <span class="badge bg-red-100 text-red-800" title="The 7-day dunning window is over">
        Suggest suspend
      </span>
    )
  const days = `${state.daysLeft} ${state.daysLeft === 1 ? 'day' : 'days'} left`
  return <span class="badge bg-amber-100 text-amber-900">Dunning · {days}</span>
}
