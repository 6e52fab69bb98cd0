import type { Db } from '../db/database.js'
import { updateTenantBillingColumns } from '../db/billing-tenant-columns.js'

/**
 * Refreshes `tenants.billing_mrr_cents` (cents), `billing_currency` (its main currency: the most
 * MRR, else its latest subscription's) and `dunning_started_at` (earliest of its subscriptions')
 * from saas_billing, after any change to the tenant's subscriptions (issue 12 item 2). Null ids
 * (an unmatched customer) are skipped. Run it in the transaction of the change. The ids are
 * deduplicated and sorted, so two transactions lock the same tenants in the same order (no
 * deadlock between them).
 */
export async function refreshTenantBilling(
  trx: Db,
  ...tenantIds: (string | null)[]
): Promise<void> {
  const ids = [...new Set(tenantIds)].filter((id): id is string => id !== null).sort()
  for (const id of ids) await updateTenantBillingColumns(trx, id)
}
