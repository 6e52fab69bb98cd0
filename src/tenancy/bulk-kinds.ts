import { roleCan, type Permission } from '../auth/permissions.js'
import type { BulkKind, OperatorRole } from '../db/schema.js'

// The kinds of bulk change (issue 9 item 4) and the one permission each needs. The routes check
// the kind's permission; the tenants list offers only the kinds the operator's role may make.

export const BULK_KINDS = ['plan_change', 'flag_override', 'suspend', 'activate'] as const

/** The permission a kind needs, to apply a batch of it and to roll one back. */
export const BULK_KIND_PERMISSION: Record<BulkKind, Permission> = {
  plan_change: 'saas.plans.edit',
  flag_override: 'saas.flags.edit',
  suspend: 'saas.tenants.suspend',
  activate: 'saas.tenants.suspend',
}

/** How a kind reads in a menu and a heading. */
export const BULK_KIND_LABEL: Record<BulkKind, string> = {
  plan_change: 'Change plan',
  flag_override: 'Override a flag',
  suspend: 'Suspend',
  activate: 'Activate',
}

/** Suspending many tenants at once needs a fresh TOTP check (issue 9 item 4). */
export function kindNeedsStepUp(kind: BulkKind): boolean {
  return kind === 'suspend'
}

/**
 * Rolling a batch back needs the same fresh TOTP check when the undo suspends or activates many
 * tenants: the rollback of an activate batch is a suspend in bulk.
 */
export function rollbackNeedsStepUp(kind: BulkKind): boolean {
  return kind === 'suspend' || kind === 'activate'
}

/** The kinds `role` may make, in menu order; empty for viewers and support. */
export function bulkKindsFor(role: OperatorRole): BulkKind[] {
  return BULK_KINDS.filter((kind) => roleCan(role, BULK_KIND_PERMISSION[kind]))
}
