import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  countTenantsHoldingPlan,
  deletePlanRow,
  findPlanForUpdate,
  setPlanArchivedAt,
} from '../db/plan-writes.js'
import { forgetPlans, type Plan } from '../db/plans.js'
import { refuse, type DomainResult } from '../domain-result.js'

// Archiving and deleting plans (issue 9 item 1). An archived plan keeps its tenants but is not
// offered for new tenants or plan changes (src/tenancy/plan-change.ts refuses it); a plan that
// any tenant holds, deleted tenants included (their row keeps the foreign key), cannot be
// deleted, only archived.

/**
 * Archives (`archive`) or unarchives the plan; audited as `plan.archive` / `plan.unarchive`
 * with `archivedAt` before and after. Refuses `plan_not_found`, and `unchanged` when it is
 * already in that state (nothing written).
 */
export async function setPlanArchived(
  db: Db,
  context: AuditContext,
  id: string,
  archive: boolean,
  now = new Date(),
): Promise<DomainResult<{ plan: Plan }, 'plan_not_found' | 'unchanged'>> {
  const result = await db.transaction().execute(async (trx) => {
    const plan = await findPlanForUpdate(trx, id)
    if (!plan) return refuse('plan_not_found')
    if ((plan.archivedAt !== null) === archive) return refuse('unchanged')
    const archivedAt = archive ? now : null
    await setPlanArchivedAt(trx, id, archivedAt, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: archive ? 'plan.archive' : 'plan.unarchive',
        targetType: 'plan',
        targetId: id,
        before: { archivedAt: plan.archivedAt },
        after: { archivedAt },
      },
      now,
    )
    return { ok: true as const, plan: { ...plan, archivedAt } }
  })
  forgetPlans(db)
  return result
}

/**
 * Deletes a plan no tenant holds; audited as `plan.delete` with the plan as `before`. Refuses
 * `plan_not_found`, and `plan_in_use` with the number of tenants (deleted ones included) that
 * hold it: those plans can only be archived. The plan row is locked first, so a tenant created on
 * it meanwhile waits on the foreign key and then fails rather than pointing at nothing.
 */
export async function deletePlan(
  db: Db,
  context: AuditContext,
  id: string,
  now = new Date(),
): Promise<
  | DomainResult<{ plan: Plan }, 'plan_not_found'>
  | { ok: false; reason: 'plan_in_use'; tenants: number }
> {
  const result = await db.transaction().execute(async (trx) => {
    const plan = await findPlanForUpdate(trx, id)
    if (!plan) return refuse('plan_not_found')
    const tenants = await countTenantsHoldingPlan(trx, id)
    if (tenants > 0) return { ok: false as const, reason: 'plan_in_use' as const, tenants }
    await deletePlanRow(trx, id)
    await appendAuditEntry(
      trx,
      context,
      { action: 'plan.delete', targetType: 'plan', targetId: id, before: plan },
      now,
    )
    return { ok: true as const, plan }
  })
  forgetPlans(db)
  return result
}
