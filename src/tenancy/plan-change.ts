import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { findPlan } from '../db/plans.js'
import type { Database } from '../db/schema.js'
import { findTenantForUpdate, type Tenant } from '../db/tenants.js'
import { refuse, type DomainResult } from '../domain-result.js'

// Moving a tenant to another plan (issue 9 items 1, 2 and 4): the licences page's one-click
// change, bulk changes and their rollback all come through here, so every plan change writes
// plan_changed_at (seeds/002: billing prorates from it) and one audit entry.

export type PlanChangeRefusal =
  'tenant_not_found' | 'tenant_deleted' | 'plan_not_found' | 'plan_archived' | 'unchanged'

export type PlanChange = DomainResult<
  {
    tenant: Tenant
    before: { planId: string; planChangedAt: Date | null }
    after: { planId: string; planChangedAt: Date }
  },
  PlanChangeRefusal
>

/**
 * Puts the tenant on `planId` inside the caller's transaction (row-locked; a bulk batch applies
 * many in one transaction). Refuses an unknown or deleted tenant, an unknown or archived plan
 * (archived plans keep their tenants but take no new ones), and a tenant already on the plan.
 * Audited as `tenant.plan_change` with before/after plan and plan_changed_at; `context.batchId`
 * ties it to a bulk batch. Writes nothing when it refuses. `options.restoring` (a rollback putting
 * a tenant back on the plan it held) allows an archived plan: archiving keeps a plan's tenants,
 * so undoing a move away from it must too.
 */
export async function changeTenantPlanIn(
  trx: Transaction<Database>,
  context: AuditContext,
  tenantId: string,
  planId: string,
  now: Date,
  options: { restoring?: boolean } = {},
): Promise<PlanChange> {
  const tenant = await findTenantForUpdate(trx, tenantId)
  if (!tenant) return refuse('tenant_not_found')
  if (tenant.status === 'deleted') return refuse('tenant_deleted')
  const plan = await findPlan(trx, planId)
  if (!plan) return refuse('plan_not_found')
  if (plan.archivedAt && !options.restoring) return refuse('plan_archived')
  if (tenant.planId === planId) return refuse('unchanged')
  const updated = await trx
    .updateTable('tenants')
    .set({ plan_id: planId, plan_changed_at: now, updated_at: now })
    .where('id', '=', tenantId)
    .returning(['plan_changed_at'])
    .executeTakeFirstOrThrow()
  const before = { planId: tenant.planId, planChangedAt: tenant.planChangedAt }
  const after = { planId, planChangedAt: updated.plan_changed_at! }
  await appendAuditEntry(
    trx,
    context,
    {
      action: 'tenant.plan_change',
      targetType: 'tenant',
      targetId: tenantId,
      tenantId,
      before,
      after,
    },
    now,
  )
  return {
    ok: true,
    tenant: { ...tenant, planId, planChangedAt: now, updatedAt: now },
    before,
    after,
  }
}

/** `changeTenantPlanIn` in a transaction of its own: the change and its audit entry, or nothing. */
export async function changeTenantPlan(
  db: Db,
  context: AuditContext,
  tenantId: string,
  planId: string,
  now = new Date(),
): Promise<PlanChange> {
  return db.transaction().execute((trx) => changeTenantPlanIn(trx, context, tenantId, planId, now))
}
