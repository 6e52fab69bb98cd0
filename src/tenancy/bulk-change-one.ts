import type { Transaction } from 'kysely'
import type { AuditContext } from '../db/audit-log.js'
import { findLastChangeSince, type ItemOutcome, type RollbackOutcome } from '../db/bulk-batches.js'
import type { Database, FlagValue } from '../db/schema.js'
import { findTenantForUpdate } from '../db/tenants.js'
import { setTenantOverrideIn } from '../flags/overrides.js'
import { changeTenantStatusIn } from './lifecycle.js'
import { changeTenantPlanIn } from './plan-change.js'

// What one kind of bulk change does to one tenant, and how its rollback undoes it only where
// nobody changed the tenant since (issue 9 item 4). Each goes through the same verb as a single
// change (plan change, override, suspension), so it is audited alike, with the batch's id.

/** What a batch sets. `value: null` clears the tenant's override of the flag. */
export type BulkChange =
  | { kind: 'plan_change'; planId: string }
  | { kind: 'flag_override'; flagKey: string; value: FlagValue | null }
  | { kind: 'suspend' }
  | { kind: 'activate' }

type Trx = Transaction<Database>

const SKIP_NOTES: Record<string, string> = {
  tenant_not_found: 'the tenant no longer exists',
  tenant_deleted: 'the tenant is deleted',
  plan_not_found: 'the plan no longer exists',
  plan_archived: 'the plan is archived',
  flag_not_found: 'the flag no longer exists',
  flag_archived: 'the flag is archived',
  invalid_value: 'the value is not allowed for the flag',
}

/**
 * Applies the change to one tenant inside the batch's transaction (`context.batchId` set).
 * @returns the item's outcome: `applied` with before/after, `unchanged` when the tenant already
 *   had it, `skipped` with a note when the tenant cannot take it (deleted, wrong status).
 */
export async function applyToTenant(
  trx: Trx,
  context: AuditContext,
  change: BulkChange,
  tenantId: string,
  now: Date,
): Promise<ItemOutcome> {
  const item = (
    outcome: ItemOutcome['outcome'],
    before: unknown,
    after: unknown,
    note = null as string | null,
  ) => ({ tenantId, outcome, before, after, note }) satisfies ItemOutcome
  switch (change.kind) {
    case 'plan_change': {
      const r = await changeTenantPlanIn(trx, context, tenantId, change.planId, now)
      if (r.ok) return item('applied', r.before, r.after)
      if (r.reason === 'unchanged')
        return item('unchanged', { planId: change.planId }, { planId: change.planId })
      return item('skipped', null, null, SKIP_NOTES[r.reason])
    }
    case 'flag_override': {
      const r = await setTenantOverrideIn(trx, context, change.flagKey, tenantId, change.value, now)
      if (r.ok) return item('applied', r.before, r.after)
      if (r.reason === 'unchanged')
        return item('unchanged', { override: change.value }, { override: change.value })
      return item('skipped', null, null, SKIP_NOTES[r.reason])
    }
    case 'suspend':
    case 'activate': {
      const r = await changeTenantStatusIn(trx, context, tenantId, change.kind, now)
      if (r) return item('applied', statusState(r.before), statusState(r.after))
      const tenant = await findTenantForUpdate(trx, tenantId)
      const target = change.kind === 'suspend' ? 'suspended' : 'active'
      if (tenant?.status === target)
        return item('unchanged', { status: target }, { status: target })
      return item('skipped', null, null, `the tenant is ${tenant?.status ?? 'gone'}`)
    }
  }
}

function statusState(t: { status: string; suspendedAt: Date | null; updatedAt: Date }) {
  return { status: t.status, suspendedAt: t.suspendedAt, updatedAt: t.updatedAt }
}

/** Same instant, whether a Date, an ISO string from jsonb, or null on both sides. */
function sameInstant(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return a == null && b == null
  return new Date(a as string).getTime() === new Date(b as string).getTime()
}

type State = Record<string, unknown>

/**
 * Whether the tenant still holds what the batch wrote (compare values AND the timestamp the
 * write set, so a change back and forth since is seen). Rows are locked for the transaction.
 */
async function stillAsWritten(trx: Trx, change: BulkChange, tenantId: string, after: State) {
  if (change.kind === 'flag_override') {
    const row = await trx
      .selectFrom('feature_flag_overrides as o')
      .innerJoin('feature_flags as f', 'f.id', 'o.flag_id')
      .select(['o.value', 'o.updated_at'])
      .where('f.key', '=', change.flagKey)
      .where('o.tenant_id', '=', tenantId)
      .forUpdate()
      .executeTakeFirst()
    return (row?.value ?? null) === after.override && sameInstant(row?.updated_at, after.updatedAt)
  }
  const tenant = await findTenantForUpdate(trx, tenantId)
  if (!tenant) return false
  if (change.kind === 'plan_change')
    return tenant.planId === after.planId && sameInstant(tenant.planChangedAt, after.planChangedAt)
  if (tenant.status !== after.status) return false
  return change.kind === 'suspend'
    ? sameInstant(tenant.suspendedAt, after.suspendedAt)
    : sameInstant(tenant.updatedAt, after.updatedAt)
}

/**
 * Restores the tenant's before-value where it still holds what the batch wrote, through the same
 * verb (audited with the rollback's own batch id in `context`). Otherwise `skipped`, with who
 * changed it since and when (from the audit log).
 */
export async function rollBackTenant(
  trx: Trx,
  context: AuditContext,
  change: BulkChange,
  item: { tenantId: string; before: unknown; after: unknown },
  batch: { id: string; appliedAt: Date },
  now: Date,
): Promise<RollbackOutcome> {
  const { tenantId } = item
  const before = item.before as State
  if (!(await stillAsWritten(trx, change, tenantId, item.after as State))) {
    const last = await findLastChangeSince(trx, tenantId, batch.appliedAt, batch.id)
    const note = last
      ? `changed since by ${last.actorEmail ?? 'the system'} at ${last.at.toISOString()} (${last.action})`
      : 'changed since'
    return { tenantId, outcome: 'skipped', note }
  }
  const refused = await restore(trx, context, change, tenantId, before, now)
  return refused
    ? { tenantId, outcome: 'skipped', note: refused }
    : { tenantId, outcome: 'restored', note: null }
}

/** Puts the before-value back; returns why not when the verb refuses. */
async function restore(
  trx: Trx,
  context: AuditContext,
  change: BulkChange,
  tenantId: string,
  before: State,
  now: Date,
): Promise<string | undefined> {
  switch (change.kind) {
    case 'plan_change': {
      const r = await changeTenantPlanIn(trx, context, tenantId, before.planId as string, now, {
        restoring: true,
      })
      return r.ok ? undefined : (SKIP_NOTES[r.reason] ?? r.reason)
    }
    case 'flag_override': {
      const value = (before.override ?? null) as FlagValue | null
      const r = await setTenantOverrideIn(trx, context, change.flagKey, tenantId, value, now)
      return r.ok ? undefined : (SKIP_NOTES[r.reason] ?? r.reason)
    }
    case 'suspend':
    case 'activate': {
      const back = change.kind === 'suspend' ? 'activate' : 'suspend'
      const r = await changeTenantStatusIn(trx, context, tenantId, back, now)
      return r ? undefined : 'the tenant changed status'
    }
  }
}
