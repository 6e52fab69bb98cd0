import type { Db } from '../db/database.js'
import { measurePlanUsageAgainst } from '../db/plan-usage.js'
import type { Plan, QuotaField } from '../db/plans.js'

// "Impact before saving" (issue 9 item 1): what changing a plan's quotas does to the tenants on
// it, shown while the operator types and again as the confirmation step without JavaScript.

export type QuotaLimitsAll = Pick<Plan, QuotaField>

/** One quota whose value changes. */
export type QuotaImpact = {
  field: QuotaField
  before: number | null
  after: number | null
  /** A lower value than before, or a limit where there was none. */
  tightened: boolean
  /** Live tenants the change tightens the quota for (every tenant on the plan, or 0). */
  tenantsTightened: number
  /** Live tenants already using more than the new value; null where there is no usage source. */
  tenantsOver: number | null
}

export type PlanImpact = {
  /** Live (not deleted) tenants on the plan. */
  tenants: number
  /** The quotas that change, in form order. */
  quotas: QuotaImpact[]
  /** True when any quota is tightened: saving then needs a confirmation. */
  tightens: boolean
  /** Tenants on the plan without a storage snapshot, whose storage could not be compared. */
  withoutStorageSnapshot: number
}

const ORDER: QuotaField[] = [
  'maxMembers',
  'maxStorageBytes',
  'maxCustomDomains',
  'maxApiCallsPerDay',
]

/** A lower limit than before, or a limit where there was none (null = unlimited). */
export function isTighter(before: number | null, after: number | null): boolean {
  return after !== null && (before === null || after < before)
}

/**
 * The impact of giving `plan` the quota values `next`: one statement over the plan's tenants
 * (members, storage snapshots, API usage peak of the last 7 UTC days). Changes nothing.
 * Custom domains have no usage source, so their `tenantsOver` is null.
 */
export async function previewPlanImpact(
  db: Db,
  plan: Plan,
  next: QuotaLimitsAll,
  now: Date,
): Promise<PlanImpact> {
  const usage = await measurePlanUsageAgainst(db, plan.id, next, now)
  const quotas = ORDER.filter((f) => plan[f] !== next[f]).map((field): QuotaImpact => {
    const tightened = isTighter(plan[field], next[field])
    return {
      field,
      before: plan[field],
      after: next[field],
      tightened,
      tenantsTightened: tightened ? usage.tenants : 0,
      tenantsOver: field === 'maxCustomDomains' ? null : usage.over[field],
    }
  })
  return {
    tenants: usage.tenants,
    quotas,
    tightens: quotas.some((q) => q.tightened),
    withoutStorageSnapshot: usage.withoutStorageSnapshot,
  }
}

/**
 * The quota values an operator confirmed, as one string carried by the form: a save that
 * tightens a quota goes through only when the confirmation names exactly the values being saved.
 */
export function impactSignature(next: QuotaLimitsAll): string {
  return ORDER.map((f) => `${f}=${next[f] ?? 'unlimited'}`).join(';')
}
