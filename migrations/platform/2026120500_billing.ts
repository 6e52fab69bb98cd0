import { sql, type Kysely } from 'kysely'

// Issue 12: the billing read-side, a projection of Stripe's webhooks. Frozen in time.
//
// stripe_events: the ledger. Every verified delivery is stored once (the event id is the key), and
// the projection below is rebuilt from it in `created` order (npm run billing:reprocess).
//
// billing_customers / saas_billing / saas_invoices / mrr_movements: the projection, all of it
// derived from stripe_events, so reprocessing truncates and replays them. `source_created` on each
// object is the `created` of the newest event applied to it: an older delivery never overwrites.
// saas_billing holds one row per Stripe subscription (a tenant normally has one; an unmatched
// customer's subscriptions wait there with tenant_id null until an admin links the customer).
//
// billing_customer_links: an admin's link of an unmatched customer to a tenant. Not derived from
// Stripe, so reprocessing keeps it and the matcher reads it first.
//
// billing_requests: "mark paid out of band" and "retry charge now" as asked of Stripe; the
// projection changes only when Stripe's webhook arrives, and until then the page says so.
//
// tenants.billing_mrr_cents / billing_currency / dunning_started_at: the tenant's MRR and dunning
// state kept beside it by the projection, so the tenants table sorts and filters without a join.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('livemode', 'boolean', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .addColumn('error', 'text')
    .execute()
  await sql`create index stripe_events_created_idx on stripe_events (created, received_at, id)`.execute(
    db,
  )
  await sql`create index stripe_events_unprocessed_idx on stripe_events (received_at) where processed_at is null`.execute(
    db,
  )

  await db.schema
    .createTable('billing_customer_links')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('linked_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('billing_customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('set null'))
    .addColumn('matched_by', 'text', (c) =>
      c.check(sql`matched_by in ('metadata', 'email', 'link')`),
    )
    .addColumn('email', 'text')
    .addColumn('name', 'text')
    .addColumn('metadata_tenant_id', 'text')
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('card_brand', 'text')
    .addColumn('card_last4', 'text')
    .addColumn('card_exp_month', 'integer')
    .addColumn('card_exp_year', 'integer')
    .addColumn('default_payment_method_id', 'text')
    .addColumn('created', 'timestamptz')
    .addColumn('source_created', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create index billing_customers_tenant_idx on billing_customers (tenant_id)`.execute(db)
  await sql`create index billing_customers_unmatched_idx on billing_customers (created) where tenant_id is null`.execute(
    db,
  )

  await db.schema
    .createTable('saas_billing')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('price_id', 'text')
    .addColumn('product_name', 'text')
    .addColumn('interval', 'text')
    .addColumn('interval_count', 'integer')
    .addColumn('quantity', 'integer')
    .addColumn('currency', 'text', (c) => c.notNull())
    // The subscription's items (price, interval, quantity) and discounts as the MRR rule reads them.
    .addColumn('items', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('discounts', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('mrr_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('current_period_end', 'timestamptz')
    .addColumn('cancel_at_period_end', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('canceled_at', 'timestamptz')
    .addColumn('trial_end', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('dunning_started_at', 'timestamptz')
    .addColumn('source_created', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create index saas_billing_tenant_idx on saas_billing (tenant_id)`.execute(db)
  await sql`create index saas_billing_customer_idx on saas_billing (customer_id)`.execute(db)
  await sql`create index saas_billing_period_end_idx on saas_billing (current_period_end)`.execute(
    db,
  )

  await db.schema
    .createTable('saas_invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text')
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('set null'))
    .addColumn('number', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_due', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_paid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_refunded', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('due_date', 'timestamptz')
    .addColumn('paid_at', 'timestamptz')
    .addColumn('paid_out_of_band', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_payment_attempt', 'timestamptz')
    .addColumn('first_failed_at', 'timestamptz')
    .addColumn('hosted_invoice_url', 'text')
    .addColumn('invoice_pdf', 'text')
    .addColumn('payment_intent_id', 'text')
    .addColumn('charge_id', 'text')
    .addColumn('source_created', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create index saas_invoices_tenant_created_idx on saas_invoices (tenant_id, created desc)`.execute(
    db,
  )
  await sql`create index saas_invoices_customer_idx on saas_invoices (customer_id, created desc)`.execute(
    db,
  )
  await sql`create index saas_invoices_paid_at_idx on saas_invoices (paid_at) where paid_at is not null`.execute(
    db,
  )

  await db.schema
    .createTable('mrr_movements')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('set null'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('new', 'expansion', 'contraction', 'churn', 'reactivation')`),
    )
    .addColumn('mrr_before_cents', 'bigint', (c) => c.notNull())
    .addColumn('mrr_after_cents', 'bigint', (c) => c.notNull())
    .addColumn('delta_cents', 'bigint', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('mrr_movements_event_customer_currency_key', [
      'event_id',
      'customer_id',
      'currency',
    ])
    .execute()
  await sql`create index mrr_movements_occurred_idx on mrr_movements (occurred_at)`.execute(db)
  await sql`create index mrr_movements_tenant_idx on mrr_movements (tenant_id, occurred_at)`.execute(
    db,
  )

  await db.schema
    .createTable('billing_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('set null'))
    .addColumn('action', 'text', (c) =>
      c.notNull().check(sql`action in ('mark_paid_out_of_band', 'retry_charge')`),
    )
    .addColumn('requested_by', 'uuid', (c) => c.references('super_admins.id'))
    .addColumn('requested_by_email', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stripe_status', 'text')
    .execute()
  await sql`create index billing_requests_invoice_idx on billing_requests (invoice_id, requested_at desc)`.execute(
    db,
  )

  await db.schema
    .alterTable('tenants')
    .addColumn('billing_mrr_cents', 'bigint')
    .addColumn('billing_currency', 'text')
    .addColumn('dunning_started_at', 'timestamptz')
    .execute()
  await sql`create index tenants_dunning_idx on tenants (dunning_started_at) where dunning_started_at is not null`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tenants_dunning_idx`.execute(db)
  await db.schema
    .alterTable('tenants')
    .dropColumn('billing_mrr_cents')
    .dropColumn('billing_currency')
    .dropColumn('dunning_started_at')
    .execute()
  for (const table of [
    'billing_requests',
    'mrr_movements',
    'saas_invoices',
    'saas_billing',
    'billing_customers',
    'billing_customer_links',
    'stripe_events',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
