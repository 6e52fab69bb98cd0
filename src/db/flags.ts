import type { Db } from './database.js'
import type { FeatureFlagsTable, FlagValue } from './schema.js'
import type { Selectable } from 'kysely'
import { resolveFlag, type FlagDefinition, type FlagResolution } from '../flags/resolve.js'

// Reads of feature flags, their per-plan values and per-tenant overrides (issue 9 item 3).
// Writes live in src/flags/ (domain verbs: transaction + audit).

/** A flag as the console shows it: its definition for `resolveFlag`, plus bookkeeping. */
export type FeatureFlag = FlagDefinition & {
  id: string
  description: string
  archivedAt: Date | null
  createdAt: Date
  updatedAt: Date
}

function toFlag(row: Selectable<FeatureFlagsTable>, planValues: Record<string, FlagValue>) {
  return {
    id: row.id,
    key: row.key,
    description: row.description,
    type: row.type,
    variants: row.variants,
    defaultValue: row.default_value,
    rolloutPercentage: row.rollout_percentage,
    rolloutValue: row.rollout_value,
    rolloutPlanIds: row.rollout_plan_ids,
    planValues,
    archived: row.archived_at !== null,
    archivedAt: row.archived_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  } satisfies FeatureFlag
}

/** plan id → value, per flag id, for the given flags (one query). */
async function planValuesOf(db: Db, flagIds: string[]) {
  const byFlag = new Map<string, Record<string, FlagValue>>()
  if (flagIds.length === 0) return byFlag
  const rows = await db
    .selectFrom('feature_flag_plan_values')
    .select(['flag_id', 'plan_id', 'value'])
    .where('flag_id', 'in', flagIds)
    .execute()
  for (const r of rows) byFlag.set(r.flag_id, { ...byFlag.get(r.flag_id), [r.plan_id]: r.value })
  return byFlag
}

/**
 * Every flag, ordered by key, with its plan values (two statements). Archived flags are
 * included unless `includeArchived` is false.
 */
export async function listFlags(
  db: Db,
  options: { includeArchived?: boolean } = {},
): Promise<FeatureFlag[]> {
  const rows = await db
    .selectFrom('feature_flags')
    .selectAll()
    .$if(options.includeArchived === false, (qb) => qb.where('archived_at', 'is', null))
    .orderBy('key')
    .execute()
  const values = await planValuesOf(
    db,
    rows.map((r) => r.id),
  )
  return rows.map((r) => toFlag(r, values.get(r.id) ?? {}))
}

/** The flag with this key and its plan values, or undefined. */
export async function findFlagByKey(db: Db, key: string): Promise<FeatureFlag | undefined> {
  const row = await db
    .selectFrom('feature_flags')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst()
  if (!row) return undefined
  const values = await planValuesOf(db, [row.id])
  return toFlag(row, values.get(row.id) ?? {})
}

/** The tenant's overrides: flag id → value (one statement). */
export async function findTenantOverrides(
  db: Db,
  tenantId: string,
): Promise<Map<string, FlagValue>> {
  const rows = await db
    .selectFrom('feature_flag_overrides')
    .select(['flag_id', 'value'])
    .where('tenant_id', '=', tenantId)
    .execute()
  return new Map(rows.map((r) => [r.flag_id, r.value]))
}

/** One flag as resolved for one tenant. */
export type TenantFlag = { flag: FeatureFlag; resolution: FlagResolution; override?: FlagValue }

/**
 * Every flag (archived included, which resolve to their default) resolved for the tenant, by
 * key: three statements (flags, plan values, the tenant's overrides), however many flags.
 */
export async function resolveTenantFlags(
  db: Db,
  tenant: { id: string; planId: string },
): Promise<TenantFlag[]> {
  const [flags, overrides] = await Promise.all([listFlags(db), findTenantOverrides(db, tenant.id)])
  return flags.map((flag) => {
    const override = overrides.get(flag.id)
    return {
      flag,
      override,
      resolution: resolveFlag(flag, { tenantId: tenant.id, planId: tenant.planId, override }),
    }
  })
}
