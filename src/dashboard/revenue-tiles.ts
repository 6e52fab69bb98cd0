import type { BillingToday, CurrencyToday } from '../db/billing-today.js'
import { currencyLabel, formatMoney } from '../views/billing/money.js'
import type { Tile } from './tiles.js'

// The dashboard's revenue tiles (issue 12 item 4), pure: MRR, today's revenue and today's churn.
// The main currency (largest MRR) is the number; every other currency is a note, never added to
// it. Without billing data, one tile says so and links to /billing, where the setup is explained.

const also = (rows: CurrencyToday[], amount: (c: CurrencyToday) => number) =>
  rows
    .slice(1)
    .map((c) => `Also ${formatMoney(amount(c), c.currency)} (${currencyLabel(c.currency)})`)

/** The three tiles for `billing`, or the one "No billing data" tile. */
export function revenueTiles(billing: BillingToday): Tile[] {
  if (!billing.hasData) {
    return [
      {
        id: 'billing',
        label: 'Billing',
        value: 'No billing data',
        notes: ['Appears once Stripe’s webhook delivers events: see Billing.'],
        href: '/billing',
      },
    ]
  }
  const rows = billing.currencies
  const main = rows[0]
  const money = (amount: (c: CurrencyToday) => number) =>
    main ? formatMoney(amount(main), main.currency) : '0'
  const churned = rows.reduce((sum, c) => sum + c.churnedToday, 0)
  return [
    {
      id: 'mrr',
      label: 'MRR',
      value: money((c) => c.mrrCents),
      notes: ['Paying subscriptions, after discounts', ...also(rows, (c) => c.mrrCents)],
      href: '/billing',
    },
    {
      id: 'revenue-today',
      label: 'Revenue today',
      value: money((c) => c.paidTodayCents),
      notes: [
        'Invoices paid since 00:00 UTC, before refunds',
        ...also(rows, (c) => c.paidTodayCents),
      ],
      href: '/billing',
    },
    {
      id: 'churn-today',
      label: 'Churn today',
      value: churned.toLocaleString('en'),
      notes: [
        'Customers who canceled since 00:00 UTC',
        ...rows
          .filter((c) => c.churnedToday > 0)
          .map((c) => `${formatMoney(c.churnedTodayCents, c.currency)} MRR lost`),
      ],
      href: '/billing',
    },
  ]
}
