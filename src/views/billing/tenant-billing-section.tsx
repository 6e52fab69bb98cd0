import type { FC } from 'hono/jsx'
import type { TenantBillingSummary } from '../../db/tenant-billing.js'
import type { Tenant } from '../../db/tenants.js'
import { Section } from '../components/section.js'
import { DunningBadge, formatMoney, SubscriptionBadge } from './tenant-format.js'

// The tenant page's compact Billing section (issue 12 item 4): MRR, the subscription's status,
// the dunning badge, and the way to the Billing tab. Its data is the tenant row's billing columns
// and one query (findTenantBillingSummary).

export const TenantBillingSection: FC<{
  tenant: Tenant
  summary: TenantBillingSummary
  now: Date
}> = ({ tenant: t, summary, now }) => (
  <Section id="billing" title="Billing">
    <dl class="m-0 mb-3 grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
      <dt class="text-slate-600">MRR</dt>
      <dd class="m-0">
        {t.billingMrrCents !== null && t.billingCurrency
          ? formatMoney(t.billingMrrCents, t.billingCurrency)
          : '—'}
      </dd>
      <dt class="text-slate-600">Subscription</dt>
      <dd class="m-0">
        {summary.status ? <SubscriptionBadge status={summary.status} /> : 'none in Stripe'}{' '}
        <DunningBadge startedAt={t.dunningStartedAt} now={now} />
      </dd>
    </dl>
    <p class="m-0 text-sm">
      <a href={`/tenants/${t.id}/billing`} class="text-violet-700 underline">
        Billing →
      </a>
    </p>
  </Section>
)
