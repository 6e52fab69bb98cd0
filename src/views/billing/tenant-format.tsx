import type { FC } from 'hono/jsx'
import { dunningState } from '../../billing/mrr.js'

// Money and billing badges shared by the tenant's Billing tab, the tenant page and the tenants
// table (issue 12 item 4). Amounts are integer cents (minor units) of a lower-case ISO 4217
// currency, as Stripe sends them; nothing is converted between currencies.

const formatters = new Map<string, Intl.NumberFormat>()

function formatterOf(currency: string): Intl.NumberFormat {
  const code = currency.toUpperCase()
  let f = formatters.get(code)
  if (!f) {
    f = new Intl.NumberFormat('en', { style: 'currency', currency: code })
    formatters.set(code, f)
  }
  return f
}

/**
 * 123456 cents of 'eur' → "€1,234.56"; a zero-decimal currency (JPY) is not divided (Stripe sends
 * yen). An unknown code shows as "123456 xyz".
 */
export function formatMoney(cents: number, currency: string): string {
  try {
    const f = formatterOf(currency)
    const digits = f.resolvedOptions().maximumFractionDigits ?? 2
    return f.format(cents / 10 ** digits)
  } catch {
    return `${cents} ${currency}`
  }
}

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
