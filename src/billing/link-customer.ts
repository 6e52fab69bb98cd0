import type { Db } from '../db/database.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import { refuse, type DomainResult } from '../domain-result.js'

// TEMPORARY STUB (overview branch): the ingest helper owns the real linkBillingCustomer with this
// signature. Deleted before `git merge ingest`; do not merge this file.

export async function linkBillingCustomer(
  db: Db,
  ctx: AuditContext,
  input: { customerId: string; tenantId: string },
  now: Date,
): Promise<DomainResult<object, 'customer_not_found' | 'already_linked'>> {
  return db.transaction().execute(async (trx) => {
    const customer = await trx
      .selectFrom('billing_customers')
      .selectAll()
      .where('id', '=', input.customerId)
      .forUpdate()
      .executeTakeFirst()
    if (!customer) return refuse('customer_not_found')
    if (customer.tenant_id) return refuse('already_linked')
    await trx
      .insertInto('billing_customer_links')
      .values({
        customer_id: input.customerId,
        tenant_id: input.tenantId,
        linked_at: now,
        linked_by: null,
      })
      .execute()
    await trx
      .updateTable('billing_customers')
      .set({ tenant_id: input.tenantId, matched_by: 'link' })
      .where('id', '=', input.customerId)
      .execute()
    await trx
      .updateTable('saas_billing')
      .set({ tenant_id: input.tenantId })
      .where('customer_id', '=', input.customerId)
      .execute()
    await appendAuditEntry(
      trx,
      ctx,
      {
        action: 'billing.customer.link',
        targetType: 'billing_customer',
        targetId: input.customerId,
        tenantId: input.tenantId,
        after: { tenantId: input.tenantId },
      },
      now,
    )
    return { ok: true }
  })
}
