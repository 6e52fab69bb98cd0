import type { FC } from 'hono/jsx'
import type { TenantCustomer, TenantSubscription } from '../../db/tenant-billing.js'
import type { Tenant } from '../../db/tenants.js'
import { BackLink, Section } from '../components/section.js'
import { formatDateTime } from '../format.js'
import { StatusBadge } from '../tenants/tenant-status.js'
import { DunningBadge, formatMoney } from './tenant-format.js'
import { TenantInvoices, type TenantInvoicesProps } from './tenant-invoices.js'
import { TenantCustomers, TenantSubscriptions } from './tenant-subscriptions.js'
import { dunningState } from '../../billing/mrr.js'

// A tenant's Billing tab (issue 12 item 4): MRR and dunning at the top, then subscriptions, the
// Stripe customer with the card on file, and the invoice history with its actions (item 5).

export type TenantBillingPageProps = {
  tenant: Tenant
  subscriptions: TenantSubscription[]
  customers: TenantCustomer[]
  invoices: Omit<TenantInvoicesProps, 'tenantId'>
  now: Date
}

export const TenantBillingPage: FC<TenantBillingPageProps> = (p) => {
  const t = p.tenant
  const empty =
    p.customers.length === 0 && p.subscriptions.length === 0 && p.invoices.invoices.length === 0
  return (
    <div>
      <BackLink href={`/tenants/${t.id}`}>{t.name}</BackLink>
      <div class="mb-6 flex flex-wrap items-center gap-3">
        <h1 class="m-0 text-2xl font-semibold">Billing of {t.name}</h1>
        <span class="font-mono text-slate-600">{t.slug}</span>
        <StatusBadge status={t.status} />
      </div>
      {empty ? <NoBilling tenant={t} /> : <BillingSummary {...p} />}
      {!empty && <TenantSubscriptions subscriptions={p.subscriptions} />}
      {p.customers.length > 0 && <TenantCustomers customers={p.customers} now={p.now} />}
      {!empty && <TenantInvoices tenantId={t.id} {...p.invoices} />}
    </div>
  )
}

const BillingSummary: FC<TenantBillingPageProps> = (p) => {
  const t = p.tenant
  const dunning = dunningState(t.dunningStartedAt, p.now)
  return (
    <Section id="billing-summary" title="Revenue and dunning">
      <dl class="m-0 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt class="text-slate-600">MRR</dt>
        <dd class="m-0">
          {t.billingMrrCents !== null && t.billingCurrency
            ? formatMoney(t.billingMrrCents, t.billingCurrency)
            : '—'}
        </dd>
        <dt class="text-slate-600">Dunning</dt>
        <dd class="m-0">
          {dunning.inDunning ? (
            <span>
              <DunningBadge startedAt={t.dunningStartedAt} now={p.now} /> since{' '}
              {formatDateTime(dunning.startedAt)}
              {dunning.suggestSuspend &&
                ' — the 7-day window is over; suspending is your decision, the console never does it on its own.'}
            </span>
          ) : (
            'Not in dunning'
          )}
        </dd>
      </dl>
    </Section>
  )
}

const NoBilling: FC<{ tenant: Tenant }> = ({ tenant }) => (
  <Section id="no-billing" title="No billing in Stripe">
    <p class="m-0 mb-2 text-sm">
      No Stripe customer is matched to this tenant yet. A customer is matched when Stripe’s webhook
      brings one that:
    </p>
    <ol class="m-0 mb-2 pl-5 text-sm">
      <li>
        has <code>metadata.tenant_id</code> = <code>{tenant.id}</code>, or else
      </li>
      <li>
        has the tenant’s billing email, <code>{tenant.billingEmail}</code>, or
      </li>
      <li>
        is linked to this tenant by an admin among the unmatched customers on{' '}
        <a href="/billing" class="underline">
          Billing
        </a>
        .
      </li>
    </ol>
  </Section>
)
