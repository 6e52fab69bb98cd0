import type { FC } from 'hono/jsx'
import { arrCents, type ChurnSummary } from '../../billing/mrr.js'
import type { LostMovement } from '../../db/billing-overview.js'
import type { DunningSubscription, Renewal } from '../../db/billing-attention.js'
import type { PlanSubscriptions, UnmatchedCustomer } from '../../db/billing-plans.js'
import { Section } from '../components/section.js'
import { formatDate, formatDateTime } from '../format.js'
import { TenantLink } from './billing-tenant-link.js'
import { DunningTable, RenewalsTable } from './billing-attention.js'
import { PlansTable, UnmatchedCustomers, type LinkError } from './billing-plans.js'
import { currencyLabel, formatMoney } from './money.js'
import { ChartLegend, MovementChart, MovementTable } from './movement-chart.js'
import type { MonthMovements } from './movement-months.js'

// /billing (issue 12 item 4): per currency MRR, ARR and the 12-month movements; churn this month;
// dunning; renewals; subscriptions by plan; unmatched customers. Never a sum across currencies.

/** Everything /billing shows about one currency. */
export type CurrencyOverview = {
  currency: string
  mrrCents: number
  paying: number
  months: MonthMovements[]
  churn: ChurnSummary
}

export type BillingPageProps = {
  /** False until Stripe sent anything: the page is one empty state. */
  hasData: boolean
  /** The picked tenant's name, or undefined for every tenant. */
  scopeName?: string
  currencies: CurrencyOverview[]
  /** This month's cancellations (kind churn), newest first. */
  churned: LostMovement[]
  dunning: DunningSubscription[]
  renewals: { shown: Renewal[]; total: number }
  plans: PlanSubscriptions[]
  /** Undefined under a tenant scope: unmatched customers belong to no tenant. */
  unmatched?: { shown: UnmatchedCustomer[]; total: number }
  canEdit: boolean
  /** Stripe events whose processing failed, fleet-wide (never scoped). */
  failedEvents: number
  /** A full reprocess raised its fence then and has not finished: new events wait for it. */
  reprocessSince?: Date
  /** Paying subscriptions with a price without unit amount (tiered, metered): MRR 0 for it. */
  unpricedSubscriptions: number
  linkError?: LinkError
  now: Date
}

export const BillingPage: FC<BillingPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-2 text-2xl font-semibold">Billing</h1>
    <p class="m-0 mb-4 text-sm text-slate-600" id="billing-note">
      {p.scopeName ? `${p.scopeName} only. ` : 'Every tenant. '}
      Amounts are shown per currency and never converted or added across currencies.
    </p>
    {p.reprocessSince && (
      <p class="m-0 mb-4 text-sm text-amber-800" id="billing-reprocess">
        The Stripe ledger has been reprocessing since {formatDateTime(p.reprocessSince)}: new events
        are stored and wait until it finishes. If it was interrupted, run{' '}
        <code>npm run billing:reprocess -- --pending</code> to finish it.
      </p>
    )}
    <BillingWarnings failedEvents={p.failedEvents} unpriced={p.unpricedSubscriptions} />
    {!p.hasData ? (
      <Section id="billing-empty" title="No billing data">
        <p class="m-0 text-sm">
          No Stripe events yet — configure the webhook (STRIPE_WEBHOOK_SECRET, endpoint
          /webhooks/stripe), see README, or run <code>npm run billing:replay -- FILE</code> with an
          export of Stripe events.
        </p>
      </Section>
    ) : (
      <BillingSections {...p} />
    )}
  </>
)

/** What the numbers leave out: failed Stripe events, and prices MRR cannot read. */
const BillingWarnings: FC<{ failedEvents: number; unpriced: number }> = (p) => (
  <>
    {p.failedEvents > 0 && (
      <p class="m-0 mb-4 text-sm text-red-800" id="billing-failed-events">
        {p.failedEvents} Stripe {p.failedEvents === 1 ? 'event' : 'events'} failed processing — fix
        the cause, then run <code>npm run billing:reprocess -- --pending</code>
      </p>
    )}
    {p.unpriced > 0 && (
      <p class="m-0 mb-4 text-sm text-amber-800" id="billing-unpriced">
        MRR excludes {p.unpriced} {p.unpriced === 1 ? 'subscription' : 'subscriptions'} whose price
        has no unit amount (tiered or metered)
      </p>
    )}
  </>
)

const BillingSections: FC<BillingPageProps> = (p) => (
  <>
    {p.currencies.length === 0 && (
      <Section id="revenue" title="Revenue">
        <p class="m-0 text-sm">No paying subscriptions{p.scopeName ? ' for this tenant' : ''}.</p>
      </Section>
    )}
    {p.currencies.map((c) => (
      <CurrencySection overview={c} />
    ))}
    <ChurnSection currencies={p.currencies} churned={p.churned} />
    <Section id="dunning" title="In dunning (7-day window)">
      <DunningTable rows={p.dunning} now={p.now} />
    </Section>
    <Section id="renewals" title="Renewals in the next 14 days">
      <RenewalsTable rows={p.renewals.shown} total={p.renewals.total} />
    </Section>
    <Section id="plans" title="Subscriptions by plan">
      <PlansTable rows={p.plans} />
    </Section>
    {p.unmatched && (
      <Section id="unmatched" title="Unmatched Stripe customers">
        <UnmatchedCustomers {...p.unmatched} canEdit={p.canEdit} error={p.linkError} />
      </Section>
    )}
  </>
)

const CurrencySection: FC<{ overview: CurrencyOverview }> = ({ overview: c }) => (
  <Section id={`revenue-${c.currency}`} title={`Revenue in ${currencyLabel(c.currency)}`}>
    <dl class="m-0 mb-3 grid grid-cols-[14rem_1fr] gap-y-1 text-sm">
      <dt class="text-slate-600">MRR</dt>
      <dd class="m-0">{formatMoney(c.mrrCents, c.currency)}</dd>
      <dt class="text-slate-600">ARR</dt>
      <dd class="m-0">{formatMoney(arrCents(c.mrrCents), c.currency)}</dd>
      <dt class="text-slate-600">Paying subscriptions</dt>
      <dd class="m-0">{c.paying}</dd>
    </dl>
    <MovementChart months={c.months} currency={c.currency} />
    <ChartLegend />
    <MovementTable months={c.months} currency={c.currency} />
  </Section>
)

const ChurnSection: FC<{ currencies: CurrencyOverview[]; churned: LostMovement[] }> = (p) => (
  <Section id="churn" title="Churn this month">
    <table class="w-full text-sm" id="churn-summary">
      <thead>
        <tr class="text-left text-slate-600">
          <th scope="col">Currency</th>
          <th scope="col">Canceled</th>
          <th scope="col">Downgraded</th>
          <th scope="col">MRR lost</th>
        </tr>
      </thead>
      <tbody>
        {p.currencies.map(({ currency, churn }) => (
          <tr id={`churn-${currency}`}>
            <th scope="row" class="text-left font-normal">
              {currencyLabel(currency)}
            </th>
            <td>{churn.churnedCustomers}</td>
            <td>{churn.downgradedCustomers}</td>
            <td>{formatMoney(churn.lostCents, currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <h3 class="m-0 mt-4 mb-2 text-sm font-semibold">Churned customers this month</h3>
    {p.churned.length === 0 ? (
      <p class="m-0 text-sm text-slate-600">No cancellations this month.</p>
    ) : (
      <table class="w-full text-sm" id="churned">
        <thead>
          <tr class="text-left text-slate-600">
            <th scope="col">Tenant</th>
            <th scope="col">Date</th>
            <th scope="col">MRR lost</th>
          </tr>
        </thead>
        <tbody>
          {p.churned.map((m) => (
            <tr>
              <td>
                <TenantLink id={m.tenantId} name={m.tenantName} fallback={m.customerId} />
              </td>
              <td>{formatDate(m.occurredAt)}</td>
              <td>{formatMoney(-m.deltaCents, m.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </Section>
)
