import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { listIncludedFeatures, replaceIncludedFeatures } from '../db/plan-features.js'
import {
  findPlanForUpdate,
  insertPlan,
  updatePlanFields,
  type PlanFields,
} from '../db/plan-writes.js'
import { forgetPlans, type Plan } from '../db/plans.js'
import { refuse, type DomainResult } from '../domain-result.js'

// Creating and editing plans (issue 9 item 1): the plan row and its included features in one
// transaction with one audit entry, then the cached plan list is dropped (src/db/plans.ts).

/** A plan's fields and the ids of the boolean flags it includes (value true for the plan). */
export type PlanInput = PlanFields & { featureIds: string[] }

/** The audited form of a plan: its fields plus included feature keys. */
function audited(plan: Plan, features: string[]) {
  const { sortOrder: _s, archivedAt: _a, ...fields } = plan
  return { ...fields, features }
}

/**
 * Creates plan `id` with its included features; audited as `plan.create` with the plan as
 * `after`. Refuses `plan_exists` (ids are never reused, archived plans included) and writes
 * nothing then. The caller has checked the id format (`^[a-z][a-z0-9-]{1,30}$`, also a CHECK).
 */
export async function createPlan(
  db: Db,
  context: AuditContext,
  id: string,
  input: PlanInput,
  now = new Date(),
): Promise<DomainResult<{ plan: Plan }, 'plan_exists'>> {
  const { featureIds, ...fields } = input
  const result = await db.transaction().execute(async (trx) => {
    const plan = await insertPlan(trx, id, fields, now)
    if (!plan) return refuse('plan_exists')
    await replaceIncludedFeatures(trx, id, featureIds)
    const features = (await listIncludedFeatures(trx, id)).get(id) ?? []
    await appendAuditEntry(
      trx,
      context,
      { action: 'plan.create', targetType: 'plan', targetId: id, after: audited(plan, features) },
      now,
    )
    return { ok: true as const, plan }
  })
  forgetPlans(db)
  return result
}

/**
 * Replaces the plan's fields and included features; audited as `plan.edit` with only the fields
 * that changed, before and after (no entry when nothing changed: `changed` is false). Tenants
 * keep their plan; a tighter quota applies to them from their next call (seeds/002: existing
 * members stay, additions are refused). Refuses `plan_not_found`.
 */
export async function editPlan(
  db: Db,
  context: AuditContext,
  id: string,
  input: PlanInput,
  now = new Date(),
): Promise<DomainResult<{ plan: Plan; changed: boolean }, 'plan_not_found'>> {
  const { featureIds, ...fields } = input
  const result = await db.transaction().execute(async (trx) => {
    const before = await findPlanForUpdate(trx, id)
    if (!before) return refuse('plan_not_found')
    const featuresBefore = (await listIncludedFeatures(trx, id)).get(id) ?? []
    const plan = await updatePlanFields(trx, id, fields, now)
    await replaceIncludedFeatures(trx, id, featureIds)
    const featuresAfter = (await listIncludedFeatures(trx, id)).get(id) ?? []
    const changes = changedFields(audited(before, featuresBefore), audited(plan, featuresAfter))
    if (Object.keys(changes.after).length === 0) return { ok: true as const, plan, changed: false }
    await appendAuditEntry(
      trx,
      context,
      { action: 'plan.edit', targetType: 'plan', targetId: id, ...changes },
      now,
    )
    return { ok: true as const, plan, changed: true }
  })
  forgetPlans(db)
  return result
}

/** The keys whose values differ (arrays compared by content), as before/after objects. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>) {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  const keys = Object.keys(after).filter((k) => !same(before[k], after[k]))
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  }
}
