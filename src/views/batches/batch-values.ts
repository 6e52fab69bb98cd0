import type { Plan } from '../../db/plans.js'
import type { BulkBatchStatus, BulkKind } from '../../db/schema.js'
import { flagValueText } from '../../tenancy/bulk-filter.js'

// How a batch's stored before/after values and params read on its pages.

type State = Record<string, unknown> | null

/** One tenant's state before or after the change, in words ("Professional", "on (override)"). */
export function stateText(kind: BulkKind, state: unknown, plans: Plan[]): string {
  const s = state as State
  if (!s) return '—'
  if (kind === 'plan_change') {
    const id = String(s.planId ?? '')
    return plans.find((p) => p.id === id)?.name ?? id
  }
  if (kind === 'flag_override') {
    const value = s.override as boolean | string | null | undefined
    return value === null || value === undefined
      ? 'no override'
      : `${flagValueText(value)} (override)`
  }
  return String(s.status ?? '—')
}

/** What the batch sets, in words: "plan → Professional", "drawings-beta → on". */
export function changeText(kind: BulkKind, params: Record<string, unknown>, plans: Plan[]): string {
  if (kind === 'plan_change') {
    const id = String(params.planId)
    return `plan → ${plans.find((p) => p.id === id)?.name ?? id}`
  }
  if (kind === 'flag_override') {
    const value = params.value as boolean | string | null
    return `${String(params.flagKey)} → ${value === null ? 'override cleared' : flagValueText(value)}`
  }
  return kind === 'suspend' ? 'status → suspended' : 'status → active'
}

export const BATCH_STATUS_STYLES: Record<BulkBatchStatus, string> = {
  applying: 'bg-sky-100 text-sky-800',
  applied: 'bg-emerald-100 text-emerald-800',
  failed: 'bg-red-100 text-red-800',
  rolling_back: 'bg-amber-100 text-amber-900',
  rolled_back: 'bg-slate-200 text-slate-700',
}
