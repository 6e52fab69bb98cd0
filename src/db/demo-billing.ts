import type { Db } from './database.js'
import type { Tenant } from './tenants.js'

// The demo's reads (issue 12 item 6): which tenants are the demo fleet and which of them still
// need a billing history. SQL lives here with the rest of src/db; src/demo re-exports it.

/**
 * The ids among `tenantIds` that have no billing yet: no `tenants.billing_currency` (the
 * projection sets it once a subscription pays) and no `billing_customers` row matched to them.
 * A second seed run skips the others, so it never gives a tenant a second customer.
 */
export async function listTenantIdsWithoutBilling(
  db: Db,
  tenantIds: readonly string[],
): Promise<Set<string>> {
  if (tenantIds.length === 0) return new Set()
  const rows = await db
    .selectFrom('tenants')
    .select('tenants.id')
    .where('tenants.id', 'in', [...tenantIds])
    .where('tenants.billing_currency', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('billing_customers')
            .select('billing_customers.id')
            .whereRef('billing_customers.tenant_id', '=', 'tenants.id'),
        ),
      ),
    )
    .execute()
  return new Set(rows.map((r) => r.id))
}

/**
 * The live tenants (active or suspended) whose `tenant.create` audit entry carries one of
 * `requestIds` — the seed writes `seed`, `npm run demo` `demo` — oldest first: the demo fleet,
 * and never a tenant an operator made.
 */
export async function listDemoFleetTenants(
  db: Db,
  requestIds: readonly string[],
): Promise<Pick<Tenant, 'id' | 'name' | 'planId' | 'billingEmail'>[]> {
  const rows = await db
    .selectFrom('tenants')
    .select(['id', 'name', 'plan_id', 'billing_email'])
    .where('status', 'in', ['active', 'suspended'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('audit_log')
          .select('seq')
          .where('audit_log.action', '=', 'tenant.create')
          .where('audit_log.request_id', 'in', [...requestIds])
          .whereRef('audit_log.tenant_id', '=', 'tenants.id'),
      ),
    )
    .orderBy('created_at')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    planId: r.plan_id,
    billingEmail: r.billing_email,
  }))
}
