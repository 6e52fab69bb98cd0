import { sql } from 'kysely'
import type { CardInput, CustomerInput } from '../billing/stripe-shapes.js'
import type { Db } from './database.js'
import type { BillingMatch } from './schema.js'
import { isUuid } from './tenants.js'

// billing_customers as the projection writes it (issue 12 item 2), and the lookups of the
// customer → tenant matcher. Every function runs inside the event's transaction.

/** The source_created of a stub: older than any event, so the customer's own event applies. */
const STUB_SOURCE = new Date(0)

export type CustomerMatchRow = { tenantId: string | null; matchedBy: BillingMatch | null }

/**
 * Locks the customer for this transaction (`pg_advisory_xact_lock` on a hash of its id, in a key
 * space of its own), so two deliveries for one customer never interleave their MRR arithmetic.
 */
export async function lockBillingCustomer(db: Db, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(7346212, hashtext(${customerId}))`.execute(db)
}

/**
 * Makes sure a customer row exists before its subscription or invoice lands (an event of the
 * subscription can precede the customer's own): a stub, unmatched unless an admin linked it.
 * @returns the customer's current attribution
 */
export async function ensureBillingCustomer(db: Db, customerId: string): Promise<CustomerMatchRow> {
  await db
    .insertInto('billing_customers')
    .values((eb) => ({
      id: customerId,
      source_created: STUB_SOURCE,
      tenant_id: eb
        .selectFrom('billing_customer_links')
        .select('tenant_id')
        .where('customer_id', '=', customerId),
      matched_by: eb
        .selectFrom('billing_customer_links')
        .select(sql<BillingMatch>`'link'`.as('m'))
        .where('customer_id', '=', customerId),
    }))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  const row = await db
    .selectFrom('billing_customers')
    .select(['tenant_id', 'matched_by'])
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow()
  return { tenantId: row.tenant_id, matchedBy: row.matched_by }
}

/**
 * Writes a customer event's fields unless the stored ones come from a newer event
 * (`source_created` > `created`; equal seconds apply). Leaves the attribution alone.
 * @returns false when the event was older and nothing was written
 */
export async function updateBillingCustomer(
  db: Db,
  customer: CustomerInput,
  created: Date,
): Promise<boolean> {
  const card = customer.defaultCard
  const result = await db
    .updateTable('billing_customers')
    .set({
      email: customer.email,
      name: customer.name,
      metadata_tenant_id: customer.metadataTenantId,
      deleted: customer.deleted,
      created: customer.created,
      default_payment_method_id: customer.defaultPaymentMethodId,
      source_created: created,
      ...(card ? cardColumns(card) : {}),
    })
    .where('id', '=', customer.id)
    .where('source_created', '<=', created)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

const cardColumns = (card: CardInput) => ({
  card_brand: card.brand,
  card_last4: card.last4,
  card_exp_month: card.expMonth,
  card_exp_year: card.expYear,
})

/**
 * The card on file from payment_method.attached, created `created`: applied only when the customer
 * has no default payment method or it is this one (a second, non-default card leaves the default's
 * card alone), and the event is not older than the one that set the card (`card_source_created`;
 * equal seconds apply).
 * @returns false when nothing was written
 */
export async function setBillingCustomerCard(
  db: Db,
  customerId: string,
  paymentMethodId: string,
  card: CardInput,
  created: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('billing_customers')
    .set({
      ...cardColumns(card),
      default_payment_method_id: paymentMethodId,
      card_source_created: created,
    })
    .where('id', '=', customerId)
    .where((eb) =>
      eb.or([
        eb('default_payment_method_id', 'is', null),
        eb('default_payment_method_id', '=', paymentMethodId),
      ]),
    )
    .where((eb) =>
      eb.or([eb('card_source_created', 'is', null), eb('card_source_created', '<=', created)]),
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * The tenant a customer belongs to, in the matcher's order (issue 12 item 2): an admin's link;
 * else `metadata.tenant_id` naming an existing tenant (not deleted); else the one tenant (not deleted) whose
 * billing email equals the customer's, case-insensitively — two such tenants match none.
 */
export async function findCustomerMatch(
  db: Db,
  customer: { id: string; email: string | null; metadataTenantId: string | null },
): Promise<CustomerMatchRow> {
  const link = await db
    .selectFrom('billing_customer_links')
    .select('tenant_id')
    .where('customer_id', '=', customer.id)
    .executeTakeFirst()
  if (link) return { tenantId: link.tenant_id, matchedBy: 'link' }
  if (customer.metadataTenantId && isUuid(customer.metadataTenantId)) {
    const tenant = await db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', customer.metadataTenantId)
      .where('status', '!=', 'deleted')
      .executeTakeFirst()
    if (tenant) return { tenantId: tenant.id, matchedBy: 'metadata' }
  }
  if (customer.email) {
    const tenants = await db
      .selectFrom('tenants')
      .select('id')
      .where(sql<boolean>`lower(billing_email) = lower(${customer.email})`)
      .where('status', '!=', 'deleted')
      .limit(2)
      .execute()
    if (tenants.length === 1) return { tenantId: tenants[0]!.id, matchedBy: 'email' }
  }
  return { tenantId: null, matchedBy: null }
}

/**
 * Attributes a customer and everything of it (subscriptions, invoices, movements) to `tenantId`
 * (null: unmatched). The caller refreshes the tenants' columns.
 */
export async function attributeBillingCustomer(
  db: Db,
  customerId: string,
  match: CustomerMatchRow,
): Promise<void> {
  await db
    .updateTable('billing_customers')
    .set({ tenant_id: match.tenantId, matched_by: match.matchedBy })
    .where('id', '=', customerId)
    .execute()
  for (const table of ['saas_billing', 'saas_invoices', 'mrr_movements'] as const) {
    await db
      .updateTable(table)
      .set({ tenant_id: match.tenantId })
      .where('customer_id', '=', customerId)
      .execute()
  }
}
