import type { Db } from './database.js'

// billing_customer_links (issue 12 item 2): an admin's link of an unmatched Stripe customer to a
// tenant. Not derived from Stripe: reprocessing keeps it, and the matcher reads it first.

/** The customer's email, tenant and `deleted` (Stripe deleted it), locked for the link (undefined: no such customer). */
export async function findBillingCustomerForLink(
  db: Db,
  customerId: string,
): Promise<{ email: string | null; tenantId: string | null; deleted: boolean } | undefined> {
  const row = await db
    .selectFrom('billing_customers')
    .select(['email', 'tenant_id', 'deleted'])
    .where('id', '=', customerId)
    .forUpdate()
    .executeTakeFirst()
  return row && { email: row.email, tenantId: row.tenant_id, deleted: row.deleted }
}

/**
 * Stores the link (a second link of the same customer replaces the first's tenant and author).
 * @param linkedBy the super admin's id, null from a CLI
 */
export async function insertBillingCustomerLink(
  db: Db,
  link: { customerId: string; tenantId: string; linkedBy: string | null; linkedAt: Date },
): Promise<void> {
  await db
    .insertInto('billing_customer_links')
    .values({
      customer_id: link.customerId,
      tenant_id: link.tenantId,
      linked_by: link.linkedBy,
      linked_at: link.linkedAt,
    })
    .onConflict((oc) =>
      oc.column('customer_id').doUpdateSet({
        tenant_id: link.tenantId,
        linked_by: link.linkedBy,
        linked_at: link.linkedAt,
      }),
    )
    .execute()
}
