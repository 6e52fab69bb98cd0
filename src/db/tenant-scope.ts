// The tenants a list or KPI covers (DESIGN.md §11): every tenant, or the one the customer
// picker names. The scope middleware resolves it once per request (`c.var.scope`); routes hand
// `scope.filter` to every list and KPI query in `src/db`, which narrow to `tenantId` when set.

/** A list query's tenant filter: `{}` covers every tenant, `{ tenantId }` only that one. */
export type TenantScope = { tenantId?: string }

/** Every tenant: the filter for scripts, jobs and pages outside the scope (owners' settings). */
export const ALL_TENANTS: TenantScope = Object.freeze({})
