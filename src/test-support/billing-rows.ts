import type { Insertable } from 'kysely'
import type { BillingItem } from '../billing/mrr.js'
import type { Db } from '../db/database.js'
import type {
  BillingCustomersTable,
  MrrMovementsTable,
  SaasBillingTable,
  SaasInvoicesTable,
} from '../db/schema.js'
import { uniqueSuffix } from './factories.js'

// Billing projection rows inserted directly (issue 12), for tests of the pages that read them:
// the page's numbers then come from rows the test chose, not from the webhook's handling.
// Amounts in cents; the defaults are one paying €50/month subscription.

/** One Stripe subscription; `mrr_cents` is taken as given (the projection computed it). */
export async function insertSubscription(
  db: Db,
  overrides: Partial<Insertable<SaasBillingTable>> = {},
): Promise<Insertable<SaasBillingTable>> {
  const currency = overrides.currency ?? 'eur'
  const item: BillingItem = {
    priceId: 'price_pro',
    productName: 'Professional',
    unitAmountCents: 5_000,
    currency,
    interval: 'month',
    intervalCount: 1,
    quantity: 1,
  }
  const row: Insertable<SaasBillingTable> = {
    subscription_id: `sub_${uniqueSuffix()}`,
    customer_id: `cus_${uniqueSuffix()}`,
    tenant_id: null,
    status: 'active',
    price_id: 'price_pro',
    product_name: 'Professional',
    interval: 'month',
    interval_count: 1,
    quantity: 1,
    currency,
    items: JSON.stringify([item]),
    discounts: '[]',
    mrr_cents: 5_000,
    source_created: new Date(),
    ...overrides,
  }
  await db.insertInto('saas_billing').values(row).execute()
  return row
}

/** One invoice; open and unpaid unless overridden. */
export async function insertInvoice(
  db: Db,
  overrides: Partial<Insertable<SaasInvoicesTable>> = {},
): Promise<Insertable<SaasInvoicesTable>> {
  const row: Insertable<SaasInvoicesTable> = {
    id: `in_${uniqueSuffix()}`,
    customer_id: `cus_${uniqueSuffix()}`,
    status: 'open',
    amount_due: 5_000,
    currency: 'eur',
    created: new Date(),
    source_created: new Date(),
    ...overrides,
  }
  await db.insertInto('saas_invoices').values(row).execute()
  return row
}

/** One MRR movement; `delta_cents` is after − before unless given. */
export async function insertMovement(
  db: Db,
  overrides: Partial<Insertable<MrrMovementsTable>> & Pick<MrrMovementsTable, 'kind'>,
): Promise<void> {
  const before = overrides.mrr_before_cents ?? 0
  const after = overrides.mrr_after_cents ?? 0
  await db
    .insertInto('mrr_movements')
    .values({
      event_id: `evt_${uniqueSuffix()}`,
      customer_id: `cus_${uniqueSuffix()}`,
      currency: 'eur',
      occurred_at: new Date(),
      mrr_before_cents: before,
      mrr_after_cents: after,
      delta_cents: after - before,
      ...overrides,
    })
    .execute()
}

/** One Stripe customer, unmatched (no tenant) unless overridden. */
export async function insertCustomer(
  db: Db,
  overrides: Partial<Insertable<BillingCustomersTable>> = {},
): Promise<Insertable<BillingCustomersTable>> {
  const suffix = uniqueSuffix()
  const row: Insertable<BillingCustomersTable> = {
    id: `cus_${suffix}`,
    tenant_id: null,
    email: `billing-${suffix}@example.com`,
    name: `Customer ${suffix}`,
    created: new Date(),
    source_created: new Date(),
    ...overrides,
  }
  await db.insertInto('billing_customers').values(row).execute()
  return row
}

/** A stored Stripe event, so the page leaves its empty state. */
export async function insertStripeEvent(db: Db, type = 'customer.created'): Promise<void> {
  await db
    .insertInto('stripe_events')
    .values({
      id: `evt_${uniqueSuffix()}`,
      type,
      created: new Date(),
      livemode: false,
      payload: JSON.stringify({ type }),
      received_at: new Date(),
    })
    .execute()
}
