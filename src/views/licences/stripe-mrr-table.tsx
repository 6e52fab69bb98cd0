import type { FC } from 'hono/jsx'
import type { PlanStripeMrr } from '../../db/billing-plan-mrr.js'
import type { Plan } from '../../db/plans.js'
import { formatMoney } from '../billing/money.js'

// /licences' MRR by plan from Stripe (issue 12): what tenants on each plan pay, after discounts,
// trials and yearly terms, per currency and never summed across currencies.

export const StripeMrrTable: FC<{ rows: PlanStripeMrr[]; plans: Plan[] }> = ({ rows, plans }) => {
  const totals = new Map<string, number>()
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + r.mrrCents)
  const planName = (id: string) => plans.find((p) => p.id === id)?.name ?? id
  return (
    <>
      <p class="m-0 mb-3 text-sm text-slate-600">
        From Stripe's webhooks: each tenant's subscriptions normalised to a month, after discounts;
        trials and canceled subscriptions count 0. Details on <a href="/billing">Billing</a>.
      </p>
      <table class="w-full text-sm" id="stripe-mrr-table">
        <caption class="sr-only">MRR by plan from Stripe</caption>
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" class="px-3 py-2">
              Plan
            </th>
            <th scope="col" class="px-3 py-2 text-right">
              Paying tenants
            </th>
            <th scope="col" class="px-3 py-2 text-right">
              MRR
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr id={`stripe-mrr-${r.planId}-${r.currency}`} class="border-t border-slate-100">
              <th scope="row" class="px-3 py-2 text-left font-medium">
                {planName(r.planId)}
              </th>
              <td class="px-3 py-2 text-right">{r.payingTenants.toLocaleString('en')}</td>
              <td class="px-3 py-2 text-right">{formatMoney(r.mrrCents, r.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {[...totals].map(([currency, cents]) => (
            <tr id={`stripe-mrr-total-${currency}`} class="border-t border-slate-300">
              <th scope="row" colspan={2} class="px-3 py-2 text-left">
                Total in {currency.toUpperCase()}
              </th>
              <td class="px-3 py-2 text-right font-semibold">{formatMoney(cents, currency)}</td>
            </tr>
          ))}
        </tfoot>
      </table>
    </>
  )
}
