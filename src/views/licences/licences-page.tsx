import type { FC } from 'hono/jsx'
import type { PlanStripeMrr } from '../../db/billing-plan-mrr.js'
import type { QuotaPressure } from '../../db/licences.js'
import type { Plan } from '../../db/plans.js'
import type { PlanMrr } from '../../plans/list-price-mrr.js'
import { Section } from '../components/section.js'
import { formatMoney } from '../plans/plan-format.js'
import { CHART_STATUSES, DistributionChart, type DistributionBar } from './distribution-chart.js'
import { QuotaTable } from './quota-table.js'
import { StripeMrrTable } from './stripe-mrr-table.js'

export type LicencesPageProps = {
  plans: Plan[]
  bars: DistributionBar[]
  mrr: { rows: PlanMrr[]; totals: { currency: string; cents: number }[] }
  /** MRR per plan from Stripe (issue 12); empty while no tenant has billing data. */
  stripeMrr: PlanStripeMrr[]
  over: { items: QuotaPressure[]; total: number }
  near: { items: QuotaPressure[]; total: number }
  canEdit: boolean
  /** Scoped to one customer by the picker: its name, for the heading. */
  scopedTo?: string
}

/** /licences: distribution by plan and status, list-price MRR, tenants over or near a quota. */
export const LicencesPage: FC<LicencesPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Licences</h1>
    {p.scopedTo && (
      <p class="m-0 mb-4 text-sm text-slate-700">
        Showing {p.scopedTo} only (customer picker). Choose all tenants in the top bar to see the
        whole fleet.
      </p>
    )}
    <Section id="distribution" title="Tenants by plan and status">
      <div class="grid gap-6 lg:grid-cols-2">
        <DistributionChart bars={p.bars} />
        <DistributionTable bars={p.bars} />
      </div>
    </Section>
    {p.stripeMrr.length > 0 && (
      <Section id="stripe-mrr" title="MRR by plan from Stripe">
        <StripeMrrTable rows={p.stripeMrr} plans={p.plans} />
      </Section>
    )}
    <Section id="mrr" title="MRR by plan at list price">
      <MrrTable {...p.mrr} fromStripe={p.stripeMrr.length > 0} />
    </Section>
    <Section id="over-quota" title={`Over a quota (${p.over.total})`}>
      <Pressure {...p} list={p.over} id="over" empty="No tenant is over a quota." />
    </Section>
    <Section id="near-quota" title={`At 80 % or more of a quota (${p.near.total})`}>
      <Pressure {...p} list={p.near} id="near" empty="No tenant is at 80 % of a quota." />
    </Section>
  </>
)

const DistributionTable: FC<{ bars: DistributionBar[] }> = ({ bars }) => (
  <table class="w-full text-sm" id="distribution-table">
    <caption class="sr-only">Tenants by plan and status</caption>
    <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
      <tr>
        <th scope="col" class="px-3 py-2">
          Plan
        </th>
        {CHART_STATUSES.map((s) => (
          <th scope="col" class="px-3 py-2 text-right">
            {s}
          </th>
        ))}
        <th scope="col" class="px-3 py-2 text-right">
          Total
        </th>
      </tr>
    </thead>
    <tbody>
      {bars.map((b) => (
        <tr id={`distribution-${b.planId}`} class="border-t border-slate-100">
          <th scope="row" class="px-3 py-2 text-left font-medium">
            {b.label}
          </th>
          {CHART_STATUSES.map((s) => (
            <td class="px-3 py-2 text-right">{b.counts[s] ?? 0}</td>
          ))}
          <td class="px-3 py-2 text-right font-semibold">
            {CHART_STATUSES.reduce((n, s) => n + (b.counts[s] ?? 0), 0)}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
)

const MrrTable: FC<LicencesPageProps['mrr'] & { fromStripe: boolean }> = (p) => (
  <>
    <p class="m-0 mb-3 text-sm text-slate-600" id="mrr-note">
      List price, not revenue: active tenants × the plan's monthly price, without discounts, trials
      or yearly terms.{' '}
      {p.fromStripe
        ? 'The MRR from Stripe above is what they pay; this is for comparison.'
        : 'A fallback until Stripe’s webhook delivers billing data (see Billing).'}
    </p>
    <table class="w-full text-sm" id="mrr-table">
      <caption class="sr-only">MRR by plan at list price</caption>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
        <tr>
          <th scope="col" class="px-3 py-2">
            Plan
          </th>
          <th scope="col" class="px-3 py-2 text-right">
            Active tenants
          </th>
          <th scope="col" class="px-3 py-2 text-right">
            Monthly price
          </th>
          <th scope="col" class="px-3 py-2 text-right">
            MRR (list price)
          </th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <tr id={`mrr-${r.plan.id}`} class="border-t border-slate-100">
            <th scope="row" class="px-3 py-2 text-left font-medium">
              {r.plan.name}
            </th>
            <td class="px-3 py-2 text-right">{r.activeTenants.toLocaleString('en')}</td>
            <td class="px-3 py-2 text-right">
              {formatMoney(r.plan.priceCentsMonthly, r.plan.currency)}
            </td>
            <td class="px-3 py-2 text-right">{formatMoney(r.mrrCents, r.plan.currency)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        {p.totals.map((t) => (
          <tr id={`mrr-total-${t.currency}`} class="border-t border-slate-300">
            <th scope="row" colspan={3} class="px-3 py-2 text-left">
              Total in {t.currency.toUpperCase()}
            </th>
            <td class="px-3 py-2 text-right font-semibold">{formatMoney(t.cents, t.currency)}</td>
          </tr>
        ))}
      </tfoot>
    </table>
  </>
)

const Pressure: FC<
  LicencesPageProps & {
    list: { items: QuotaPressure[]; total: number }
    id: string
    empty: string
  }
> = (p) =>
  p.list.total === 0 ? (
    <p class="m-0 text-sm text-slate-600">{p.empty}</p>
  ) : (
    <>
      {p.list.total > p.list.items.length && (
        <p class="m-0 mb-2 text-sm text-slate-600">
          The {p.list.items.length} with the highest use of {p.list.total}.
        </p>
      )}
      <QuotaTable
        id={`${p.id}-table`}
        caption={p.id === 'over' ? 'Tenants over a quota' : 'Tenants at 80 % or more of a quota'}
        items={p.list.items}
        plans={p.plans}
        canEdit={p.canEdit}
        back="/licences"
      />
    </>
  )
