import type { FC } from 'hono/jsx'
import { arrCents, subscriptionMrrCents, type BillingDiscount } from '../../billing/mrr.js'
import type { TenantCustomer, TenantSubscription } from '../../db/tenant-billing.js'
import { Section } from '../components/section.js'
import { formatDate } from '../format.js'
import { formatMoney, SubscriptionBadge } from './tenant-format.js'

// The Billing tab's subscriptions and Stripe customers with the card on file (issue 12 item 4).

export const TenantSubscriptions: FC<{ subscriptions: TenantSubscription[] }> = (p) => (
  <Section id="subscriptions" title={`Subscriptions (${p.subscriptions.length})`}>
    {p.subscriptions.length === 0 ? (
      <p class="m-0 text-sm text-slate-700">No subscription in Stripe for this tenant.</p>
    ) : (
      <div class="overflow-x-auto">
        <table class="w-full text-sm">
          <thead>
            <tr class="text-left text-slate-600">
              <th scope="col">Status</th>
              <th scope="col">Plan</th>
              <th scope="col">Price</th>
              <th scope="col">Quantity</th>
              <th scope="col">Discounts</th>
              <th scope="col">MRR</th>
              <th scope="col">ARR</th>
              <th scope="col">Period ends</th>
              <th scope="col">Subscription</th>
            </tr>
          </thead>
          <tbody>
            {p.subscriptions.map((s) => (
              <SubscriptionRow sub={s} />
            ))}
          </tbody>
        </table>
      </div>
    )}
  </Section>
)

const SubscriptionRow: FC<{ sub: TenantSubscription }> = ({ sub }) => {
  const mrr = subscriptionMrrCents(sub)
  const unit = sub.items[0]?.unitAmountCents
  return (
    <tr id={`subscription-${sub.subscriptionId}`}>
      <td>
        <SubscriptionBadge status={sub.status} />
        {sub.cancelAtPeriodEnd && sub.status !== 'canceled' && (
          <span class="ml-1 text-xs text-slate-700">cancels at period end</span>
        )}
        {sub.trialEnd && sub.status === 'trialing' && (
          <span class="ml-1 text-xs text-slate-700">trial ends {formatDate(sub.trialEnd)}</span>
        )}
      </td>
      <td>{sub.productName ?? sub.priceId ?? '—'}</td>
      <td>
        {unit === undefined ? '—' : formatMoney(unit, sub.currency)} {intervalText(sub)}
      </td>
      <td>{sub.quantity ?? '—'}</td>
      <td>{sub.discounts.length === 0 ? '—' : sub.discounts.map(discountText).join(', ')}</td>
      <td>{formatMoney(mrr, sub.currency)}</td>
      <td>{formatMoney(arrCents(mrr), sub.currency)}</td>
      <td>{formatDate(sub.currentPeriodEnd)}</td>
      <td>
        <code>{sub.subscriptionId}</code>
      </td>
    </tr>
  )
}

/** "per month", "every 3 months", "per year". */
function intervalText(sub: TenantSubscription): string {
  if (!sub.interval) return ''
  const n = sub.intervalCount ?? 1
  return n === 1 ? `per ${sub.interval}` : `every ${n} ${sub.interval}s`
}

function discountText(d: BillingDiscount): string {
  const wide = d.customerWide ? ' (customer-wide)' : ''
  if (d.percentOff !== null) return `${d.percentOff} % off${wide}`
  if (d.amountOffCents !== null && d.currency)
    return `${formatMoney(d.amountOffCents, d.currency)} off${wide}`
  // A bare discount id whose customer.discount / coupon event has not arrived yet.
  return 'discount (amount not received yet)'
}

/** A card expires at the end of its expiry month. */
export function cardExpired(card: { expMonth: number; expYear: number }, now: Date): boolean {
  const year = now.getUTCFullYear()
  return card.expYear < year || (card.expYear === year && card.expMonth < now.getUTCMonth() + 1)
}

export const TenantCustomers: FC<{ customers: TenantCustomer[]; now: Date }> = (p) => (
  <Section id="payment-method" title="Stripe customer and card on file">
    <ul class="m-0 list-none p-0 text-sm">
      {p.customers.map((c) => (
        <li id={`customer-${c.id}`} class="mb-2">
          <code>{c.id}</code> {c.email && <span>· {c.email}</span>}{' '}
          <span class="text-slate-600">· matched by {MATCH_LABELS[c.matchedBy ?? ''] ?? '—'}</span>
          {c.deleted && (
            <span class="badge ml-1 bg-slate-200 text-slate-700">deleted in Stripe</span>
          )}
          <br />
          {c.card ? (
            <span>
              Card: {c.card.brand} •••• {c.card.last4}, expires{' '}
              {String(c.card.expMonth).padStart(2, '0')}/{c.card.expYear}
              {cardExpired(c.card, p.now) && (
                <span class="badge ml-1 bg-red-100 text-red-800">expired</span>
              )}
            </span>
          ) : (
            <span class="text-slate-700">No card on file.</span>
          )}
        </li>
      ))}
    </ul>
  </Section>
)

const MATCH_LABELS: Record<string, string> = {
  metadata: 'metadata.tenant_id',
  email: 'billing email',
  link: 'an admin’s link',
}
