import type { FC } from 'hono/jsx'
import { QUOTA_FIELDS, type Plan } from '../../db/plans.js'
import { ButtonLink } from '../components/button.js'
import { formatMoney, quotaText } from './plan-format.js'

/** A plan as /plans lists it: the plan, its included feature keys and its live tenants. */
export type PlanSummary = { plan: Plan; features: string[]; tenants: number }

const HEADERS = [
  'Plan',
  'Monthly',
  'Yearly',
  'Members',
  'Storage',
  'Custom domains',
  'API calls / day',
  'Included features',
  'State',
  'Tenants',
]

/** /plans: every plan with its prices, quotas, included features, state and tenant count. */
export const PlansPage: FC<{ plans: PlanSummary[]; canEdit: boolean }> = (p) => (
  <>
    <div class="mb-4 flex items-center justify-between gap-4">
      <h1 class="m-0 text-2xl font-semibold">Plans</h1>
      {p.canEdit && (
        <ButtonLink href="/plans/new" accesskey="n">
          New plan
        </ButtonLink>
      )}
    </div>
    <p class="m-0 mb-4 max-w-3xl text-sm text-slate-600">
      List prices and quotas of each plan. A blank quota is unlimited. Included features are the
      boolean feature flags that are on for the plan. Archived plans keep their tenants but are not
      offered for new tenants or plan changes.
    </p>
    <div id="plan-table" class="mb-6 overflow-x-auto rounded border border-slate-200 bg-white">
      <table class="w-full text-sm">
        <caption class="sr-only">Plans</caption>
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            {HEADERS.map((h) => (
              <th scope="col" class="px-3 py-2">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.plans.map((s) => (
            <PlanRow summary={s} canEdit={p.canEdit} />
          ))}
        </tbody>
      </table>
    </div>
  </>
)

const PlanRow: FC<{ summary: PlanSummary; canEdit: boolean }> = ({ summary, canEdit }) => {
  const { plan, features, tenants } = summary
  return (
    <tr id={`plan-${plan.id}`} class="border-t border-slate-100 align-top">
      <th scope="row" class="px-3 py-2 text-left font-medium">
        {canEdit ? (
          <a href={`/plans/${plan.id}`} class="text-violet-700 underline">
            {plan.name}
          </a>
        ) : (
          plan.name
        )}
        <div class="text-xs font-normal text-slate-600">
          <code>{plan.id}</code>
        </div>
      </th>
      <td class="px-3 py-2">{formatMoney(plan.priceCentsMonthly, plan.currency)}</td>
      <td class="px-3 py-2">{formatMoney(plan.priceCentsYearly, plan.currency)}</td>
      {QUOTA_FIELDS.map((f) => (
        <td class="px-3 py-2">{quotaText(f, plan[f])}</td>
      ))}
      <td class="px-3 py-2">
        {features.length === 0 ? (
          <span class="text-slate-600">None</span>
        ) : (
          <ul class="m-0 list-none p-0">
            {features.map((k) => (
              <li>
                <code>{k}</code>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td class="px-3 py-2">
        {plan.archivedAt ? (
          <span class="badge bg-slate-200 text-slate-700">archived</span>
        ) : (
          <span class="badge bg-emerald-100 text-emerald-800">
            {plan.isPublic ? 'public' : 'private'}
          </span>
        )}
      </td>
      <td class="px-3 py-2">
        <a href={`/tenants?plan=${encodeURIComponent(plan.id)}`} class="text-violet-700 underline">
          {tenants.toLocaleString('en')}
          <span class="sr-only"> tenants on {plan.name}</span>
        </a>
      </td>
    </tr>
  )
}
