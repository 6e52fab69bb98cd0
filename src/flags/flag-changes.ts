import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  findFlagForUpdate,
  insertFlag,
  overrideValuesOf,
  replacePlanValues,
  setFlagArchivedAt,
  updateFlagDefinition,
  updateRollout,
  type LockedFlag,
} from '../db/flag-writes.js'
import type { FlagType, FlagValue } from '../db/schema.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { FLAG_KEY_PATTERN, invalidVariants, MAX_VARIANTS } from './flag-rules.js'
import { setTenantOverrideIn, type OverrideChange } from './overrides.js'
import { isValidFlagValue } from './resolve.js'

// Changes to feature flags (issue 9 item 3). Each verb is one transaction: it locks the flag
// row, checks the rule, writes, and appends its audit entry (target `feature_flag`, id = key)
// with before/after — or changes nothing and says why. Forms check formats first and show
// messages; these checks hold for every caller (scripts, bulk changes) all the same.

const flagTarget = (key: string) => ({ targetType: 'feature_flag', targetId: key })

export type NewFlag = {
  key: string
  description: string
  type: FlagType
  /** Variants of a string flag (at least one); empty for a boolean flag. */
  variants: string[]
  defaultValue: FlagValue
}

/**
 * Creates a flag with no rules (no plan values, 0 % rollout), audited as `flag.create`.
 * Refuses `invalid_key` (FLAG_KEY_PATTERN), `invalid_variants` (format, count, a boolean flag
 * with variants, a string flag without), `invalid_default` (not a value of the flag) and
 * `key_taken` (keys are unique forever: archived flags keep theirs).
 */
export async function createFlag(
  db: Db,
  context: AuditContext,
  flag: NewFlag,
  now: Date,
): Promise<
  DomainResult<{ id: string }, 'invalid_key' | 'invalid_variants' | 'invalid_default' | 'key_taken'>
> {
  if (!FLAG_KEY_PATTERN.test(flag.key)) return refuse('invalid_key')
  if (!variantsFit(flag.type, flag.variants)) return refuse('invalid_variants')
  if (!isValidFlagValue(flag, flag.defaultValue)) return refuse('invalid_default')
  return db.transaction().execute(async (trx) => {
    const created = await insertFlag(trx, { ...flag, createdBy: context.actor?.id ?? null }, now)
    if (!created) return refuse('key_taken')
    await appendAuditEntry(
      trx,
      context,
      { action: 'flag.create', ...flagTarget(flag.key), before: null, after: flag },
      now,
    )
    return { ok: true as const, id: created.id }
  })
}

function variantsFit(type: FlagType, variants: string[]): boolean {
  if (type === 'boolean') return variants.length === 0
  return (
    variants.length > 0 &&
    variants.length <= MAX_VARIANTS &&
    new Set(variants).size === variants.length &&
    invalidVariants(variants).length === 0
  )
}

/** Where a variant is still used, so it cannot be removed. */
export type VariantUse = { variant: string; usedBy: ('override' | 'plan value' | 'rollout')[] }

export type FlagEdit = { description: string; defaultValue: FlagValue; variants: string[] }

/**
 * Changes description, default and (string flags) variants, audited as `flag.edit` with the
 * changed fields before/after. Refuses `flag_not_found`, `invalid_variants`, `invalid_default`
 * (not among the new variants), `variant_in_use` (a removed variant is still an override's, a
 * plan's or the rollout's value; `inUse` says which and where) and `unchanged`.
 */
export async function editFlag(
  db: Db,
  context: AuditContext,
  key: string,
  edit: FlagEdit,
  now: Date,
): Promise<
  | DomainResult<
      { flagId: string },
      'flag_not_found' | 'invalid_variants' | 'invalid_default' | 'unchanged'
    >
  | { ok: false; reason: 'variant_in_use'; inUse: VariantUse[] }
> {
  return db.transaction().execute(async (trx) => {
    const flag = await findFlagForUpdate(trx, key)
    if (!flag) return refuse('flag_not_found')
    if (!variantsFit(flag.type, edit.variants)) return refuse('invalid_variants')
    if (!isValidFlagValue({ type: flag.type, variants: edit.variants }, edit.defaultValue))
      return refuse('invalid_default')
    const removed = flag.variants.filter((v) => !edit.variants.includes(v))
    const inUse = await variantsInUse(trx, flag, removed)
    if (inUse.length > 0) return { ok: false as const, reason: 'variant_in_use' as const, inUse }
    const before = {
      description: flag.description,
      defaultValue: flag.default_value,
      variants: flag.variants,
    }
    const changed = (Object.keys(before) as (keyof FlagEdit)[]).filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(edit[k]),
    )
    if (changed.length === 0) return refuse('unchanged')
    await updateFlagDefinition(trx, flag.id, edit, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'flag.edit',
        ...flagTarget(key),
        before: Object.fromEntries(changed.map((k) => [k, before[k]])),
        after: Object.fromEntries(changed.map((k) => [k, edit[k]])),
      },
      now,
    )
    return { ok: true as const, flagId: flag.id }
  })
}

async function variantsInUse(
  trx: Parameters<typeof overrideValuesOf>[0],
  flag: LockedFlag,
  removed: string[],
): Promise<VariantUse[]> {
  if (removed.length === 0) return []
  const overrides = await overrideValuesOf(trx, flag.id)
  const planValues = Object.values(flag.planValues)
  return removed
    .map((variant) => ({
      variant,
      usedBy: [
        ...(overrides.includes(variant) ? (['override'] as const) : []),
        ...(planValues.includes(variant) ? (['plan value'] as const) : []),
        ...(flag.rollout_value === variant ? (['rollout'] as const) : []),
      ],
    }))
    .filter((u) => u.usedBy.length > 0)
}

/**
 * Replaces the flag's per-plan values (plan id → value; a plan left out has none), audited as
 * `flag.plan_values` with the whole map before and after. Refuses `flag_not_found`,
 * `unknown_plan` (checked against `planIds`, the plans that exist), `invalid_value` and
 * `unchanged`.
 */
export async function setFlagPlanValues(
  db: Db,
  context: AuditContext,
  key: string,
  values: Record<string, FlagValue>,
  planIds: string[],
  now: Date,
): Promise<
  DomainResult<
    { flagId: string },
    'flag_not_found' | 'unknown_plan' | 'invalid_value' | 'unchanged'
  >
> {
  return db.transaction().execute(async (trx) => {
    const flag = await findFlagForUpdate(trx, key)
    if (!flag) return refuse('flag_not_found')
    if (Object.keys(values).some((p) => !planIds.includes(p))) return refuse('unknown_plan')
    if (Object.values(values).some((v) => !isValidFlagValue(flag, v)))
      return refuse('invalid_value')
    if (sameMap(flag.planValues, values)) return refuse('unchanged')
    await replacePlanValues(trx, flag.id, values, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'flag.plan_values',
        ...flagTarget(key),
        before: { planValues: flag.planValues },
        after: { planValues: values },
      },
      now,
    )
    return { ok: true as const, flagId: flag.id }
  })
}

function sameMap(a: Record<string, FlagValue>, b: Record<string, FlagValue>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

/** A percentage rollout: whole percent 0–100 of tenants on `planIds` (empty = every plan). */
export type Rollout = { percentage: number; planIds: string[]; value: FlagValue }

/**
 * Sets the flag's percentage rollout, audited as `flag.rollout` before/after. The bucket of a
 * tenant is stable (src/flags/resolve.ts), so raising the percentage keeps those already in.
 * Refuses `flag_not_found`, `invalid_percentage` (not a whole number in 0–100),
 * `unknown_plan`, `invalid_value` and `unchanged`.
 */
export async function setFlagRollout(
  db: Db,
  context: AuditContext,
  key: string,
  rollout: Rollout,
  planIds: string[],
  now: Date,
): Promise<
  DomainResult<
    { flagId: string },
    'flag_not_found' | 'invalid_percentage' | 'unknown_plan' | 'invalid_value' | 'unchanged'
  >
> {
  const { percentage } = rollout
  if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100)
    return refuse('invalid_percentage')
  if (rollout.planIds.some((p) => !planIds.includes(p))) return refuse('unknown_plan')
  const after = { ...rollout, planIds: [...new Set(rollout.planIds)].sort() }
  return db.transaction().execute(async (trx) => {
    const flag = await findFlagForUpdate(trx, key)
    if (!flag) return refuse('flag_not_found')
    if (!isValidFlagValue(flag, rollout.value)) return refuse('invalid_value')
    const before = {
      percentage: flag.rollout_percentage,
      planIds: [...flag.rollout_plan_ids].sort(),
      value: flag.rollout_value,
    }
    if (JSON.stringify(before) === JSON.stringify(after)) return refuse('unchanged')
    await updateRollout(trx, flag.id, after, now)
    await appendAuditEntry(
      trx,
      context,
      { action: 'flag.rollout', ...flagTarget(key), before, after },
      now,
    )
    return { ok: true as const, flagId: flag.id }
  })
}

/**
 * Archives (`archived` true) or unarchives the flag, audited as `flag.archive` /
 * `flag.unarchive` with `archivedAt` before/after. An archived flag resolves to its default for
 * every tenant and refuses new overrides; its overrides, plan values and rollout are kept for
 * an unarchive. Refuses `flag_not_found` and `unchanged` (already in that state).
 */
export async function setFlagArchived(
  db: Db,
  context: AuditContext,
  key: string,
  archived: boolean,
  now: Date,
): Promise<DomainResult<{ flagId: string }, 'flag_not_found' | 'unchanged'>> {
  return db.transaction().execute(async (trx) => {
    const flag = await findFlagForUpdate(trx, key)
    if (!flag) return refuse('flag_not_found')
    if ((flag.archived_at !== null) === archived) return refuse('unchanged')
    const at = archived ? now : null
    await setFlagArchivedAt(trx, flag.id, at, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: archived ? 'flag.archive' : 'flag.unarchive',
        ...flagTarget(key),
        before: { archivedAt: flag.archived_at },
        after: { archivedAt: at },
      },
      now,
    )
    return { ok: true as const, flagId: flag.id }
  })
}

/**
 * `setTenantOverrideIn` (src/flags/overrides.ts) in a transaction of its own: sets (`value`) or
 * clears (null) one tenant's override, with its refusals (`flag_archived`, `invalid_value`, …).
 */
export function setTenantOverride(
  db: Db,
  context: AuditContext,
  key: string,
  tenantId: string,
  value: FlagValue | null,
  now: Date,
): Promise<OverrideChange> {
  return db
    .transaction()
    .execute((trx) => setTenantOverrideIn(trx, context, key, tenantId, value, now))
}
