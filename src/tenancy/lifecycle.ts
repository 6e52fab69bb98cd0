import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { Transaction } from 'kysely'
import type { Database, TenantStatus } from '../db/schema.js'
import { lockOfferedPlan } from '../db/plan-writes.js'
import {
  findTenantForUpdate,
  transitionTenantStatus,
  updateTenantDetails,
  type Tenant,
} from '../db/tenants.js'

// Tenant lifecycle changes (deletion with its grace period: src/tenancy/deletion.ts). Each one is a single transaction: the change, its audit entry with
// the before → after difference, or nothing at all.

export type TenantEdit = { name: string; planId: string; billingEmail: string }

/**
 * Changes name, plan and billing email; a plan change sets plan_changed_at (the billing
 * integration prorates from it, seeds/002). Audits only the fields that changed.
 * @returns the tenant after the edit, or undefined when it does not exist or is deleted, or the
 *   edit moves it to a plan that is unknown or archived (archived plans take no new tenants,
 *   issue 9 item 1); nothing is written then.
 */
export async function editTenant(
  db: Db,
  context: AuditContext,
  id: string,
  edit: TenantEdit,
  now = new Date(),
) {
  return db.transaction().execute(async (trx) => {
    const before = await findTenantForUpdate(trx, id)
    if (!before || before.status === 'deleted') return undefined
    const changes = changedFields(
      { name: before.name, planId: before.planId, billingEmail: before.billingEmail },
      edit,
    )
    if (Object.keys(changes.after).length === 0) return before
    if (edit.planId !== before.planId && !(await lockOfferedPlan(trx, edit.planId)))
      return undefined
    const updated = await updateTenantDetails(
      trx,
      id,
      { ...edit, ...(edit.planId !== before.planId ? { planChangedAt: now } : {}) },
      now,
    )
    await appendAuditEntry(
      trx,
      context,
      { action: 'tenant.edit', targetType: 'tenant', targetId: id, tenantId: id, ...changes },
      now,
    )
    return updated
  })
}

function changedFields<T extends Record<string, unknown>>(before: T, after: T) {
  const keys = Object.keys(after).filter((k) => before[k] !== after[k])
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  }
}

const TRANSITIONS = {
  suspend: {
    from: ['active'] as TenantStatus[],
    to: 'suspended' as TenantStatus,
    action: 'tenant.suspend',
  },
  activate: {
    from: ['suspended'] as TenantStatus[],
    to: 'active' as TenantStatus,
    action: 'tenant.activate',
  },
}

export type StatusChange = keyof typeof TRANSITIONS

/**
 * Suspends an active tenant or activates a suspended one (compare-and-set on the status).
 * @returns the tenant after the change, or undefined when it was not in the required status.
 */
export async function changeTenantStatus(
  db: Db,
  context: AuditContext,
  id: string,
  change: StatusChange,
  now = new Date(),
): Promise<Tenant | undefined> {
  return db.transaction().execute(async (trx) => {
    const result = await changeTenantStatusIn(trx, context, id, change, now)
    return result?.after
  })
}

/**
 * `changeTenantStatus` inside the caller's transaction (a bulk batch changes many in one):
 * the status change and its audit entry (`tenant.suspend` | `tenant.activate`, before/after
 * status; `context.batchId` ties it to a batch). The tenant row is locked until the end.
 * @returns the tenant before and after, or undefined (nothing written) when it was not in the
 *   required status (active to suspend, suspended to activate) or does not exist.
 */
export async function changeTenantStatusIn(
  trx: Transaction<Database>,
  context: AuditContext,
  id: string,
  change: StatusChange,
  now: Date,
): Promise<{ before: Tenant; after: Tenant } | undefined> {
  const { from, to, action } = TRANSITIONS[change]
  const result = await transitionTenantStatus(trx, id, from, to, now)
  if (!result) return undefined
  await appendAuditEntry(
    trx,
    context,
    {
      action,
      targetType: 'tenant',
      targetId: id,
      tenantId: id,
      before: { status: result.before.status },
      after: { status: result.after.status },
    },
    now,
  )
  return result
}
