import { sql, type Kysely } from 'kysely'

// Issue 12: Stripe discounts as their own events deliver them. Frozen in time.
//
// Current Stripe webhooks send `subscription.discounts` as bare ids (`di_…`), never expanded, so
// the subscription alone cannot say how much a coupon takes off. The Discount object itself
// arrives in customer.discount.created / updated / deleted; billing_discounts keeps it so the
// projection resolves a subscription's discount ids (and a customer-wide discount, subscription_id
// null) into percent_off / amount_off when computing MRR. Derived from stripe_events like the rest
// of the projection: reprocessing truncates it. `source_created` is the `created` of the newest
// event applied (an older delivery never overwrites); a deleted discount is kept, marked deleted,
// so a late older `created` cannot bring it back.
//
// billing_coupons: since API 2025-09-30 a Discount names its coupon as `source.coupon`, an id unless
// expanded, so its amounts come from coupon.created / updated / deleted (a coupon's amounts never
// change; a deleted coupon's existing discounts keep applying). A discount without amounts of its
// own takes its coupon's. Also derived: reprocessing truncates it.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('billing_discounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text')
    .addColumn('coupon_id', 'text')
    .addColumn('percent_off', 'numeric')
    .addColumn('amount_off_cents', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('source_created', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create index billing_discounts_customer_idx on billing_discounts (customer_id)`.execute(
    db,
  )
  await sql`create index billing_discounts_coupon_idx on billing_discounts (coupon_id)`.execute(db)

  await db.schema
    .createTable('billing_coupons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('percent_off', 'numeric')
    .addColumn('amount_off_cents', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('source_created', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('billing_coupons').execute()
  await db.schema.dropTable('billing_discounts').execute()
}
