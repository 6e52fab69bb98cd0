import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { getThresholdOverrides, setThresholdOverrides } from '../db/health-thresholds.js'
import type { DomainResult } from '../domain-result.js'
import { THRESHOLDS, type ThresholdDef, type ThresholdSet, type Thresholds } from './metrics.js'

// Editing the health thresholds (issue 10 items 3 and 6): the form's parsing and the audited
// change. Form fields are `<id>.warning` and `<id>.critical` for every threshold.

export type ThresholdForm =
  | { ok: true; overrides: Partial<ThresholdSet> }
  /** Field name → message; `values` the text typed, to show again. */
  | { ok: false; errors: Record<string, string>; values: Record<string, string> }

/** The largest value any threshold accepts: beyond it a typo, not a choice. */
const MAX_VALUE = 1e12

function parseNumber(text: string | undefined, def: ThresholdDef): number | string {
  const trimmed = (text ?? '').trim()
  if (trimmed === '') return 'Enter a number.'
  const n = Number(trimmed)
  if (!Number.isFinite(n)) return 'Enter a number, like 70 or 2.5.'
  if (n < 0) return 'Must be 0 or more.'
  if (def.unit === 'percent' && n > 100) return 'A percentage is at most 100.'
  if (n > MAX_VALUE) return 'Too large.'
  return n
}

/**
 * Reads warning and critical of every threshold from the posted `fields`. Rules: both are
 * numbers ≥ 0 (percentages ≤ 100), and the warning lies on the healthy side of the critical
 * value or equals it (≤ for higher-is-worse, ≥ for lower-is-worse). Pairs equal to the defaults
 * are not overrides.
 */
export function parseThresholdForm(fields: Record<string, string>): ThresholdForm {
  const errors: Record<string, string> = {}
  const overrides: Partial<ThresholdSet> = {}
  for (const def of THRESHOLDS) {
    const warning = parseNumber(fields[`${def.id}.warning`], def)
    const critical = parseNumber(fields[`${def.id}.critical`], def)
    if (typeof warning === 'string') errors[`${def.id}.warning`] = warning
    if (typeof critical === 'string') errors[`${def.id}.critical`] = critical
    if (typeof warning === 'string' || typeof critical === 'string') continue
    const higher = def.direction === 'higher-is-worse'
    if (higher ? warning > critical : warning < critical) {
      errors[`${def.id}.warning`] = higher
        ? `The warning must not be above the critical value (${critical}).`
        : `The warning must not be below the critical value (${critical}).`
      continue
    }
    if (warning !== def.defaults.warning || critical !== def.defaults.critical)
      overrides[def.id] = { warning, critical }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values: fields }
  return { ok: true, overrides }
}

/**
 * Stores `overrides` (only thresholds that differ from their defaults; {} = all defaults) and
 * audits `settings.health_thresholds` with the overrides before and after, in one transaction.
 * @returns whether anything changed; nothing is written or audited when it did not
 */
export async function saveHealthThresholds(
  db: Db,
  context: AuditContext,
  overrides: Partial<Record<string, Thresholds>>,
  updatedBy: string,
  now: Date,
): Promise<DomainResult<{ changed: boolean }>> {
  const changed = await db.transaction().execute(async (trx) => {
    const before = await getThresholdOverrides(trx, { forUpdate: true })
    if (JSON.stringify(sorted(before)) === JSON.stringify(sorted(overrides))) return false
    await setThresholdOverrides(trx, overrides, updatedBy, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.health_thresholds',
        targetType: 'settings',
        targetId: 'health_thresholds',
        before: { thresholds: before },
        after: { thresholds: overrides },
      },
      now,
    )
    return true
  })
  return { ok: true, changed }
}

function sorted(set: Partial<Record<string, Thresholds>>) {
  return Object.keys(set)
    .sort()
    .map((id) => [id, set[id]!.warning, set[id]!.critical])
}
