import type { Plan } from '../db/plans.js'

/**
 * Plans a tenant form may offer (issue 9 item 1): those not archived, plus `current` (the
 * tenant's own) whatever it is, since a tenant keeps an archived plan it already holds.
 */
export function offeredPlans(plans: Plan[], current?: string): Plan[] {
  return plans.filter((p) => !p.archivedAt || p.id === current)
}
