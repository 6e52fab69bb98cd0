import type { Transaction } from 'kysely'
import type { Database, FlagType, FlagValue } from './schema.js'

// Writes of feature-flag definitions, inside the transaction of a domain verb
// (src/flags/flag-changes.ts), which audits them. Values are stored as JSON.

type Trx = Transaction<Database>

/** The flag row with `key`, locked FOR UPDATE until the transaction ends, or undefined. */
export async function findFlagForUpdate(trx: Trx, key: string) {
  const row = await trx
    .selectFrom('feature_flags')
    .selectAll()
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst()
  if (!row) return undefined
  const planRows = await trx
    .selectFrom('feature_flag_plan_values')
    .select(['plan_id', 'value'])
    .where('flag_id', '=', row.id)
    .execute()
  const planValues: Record<string, FlagValue> = {}
  for (const r of planRows) planValues[r.plan_id] = r.value
  return { ...row, planValues }
}

export type LockedFlag = NonNullable<Awaited<ReturnType<typeof findFlagForUpdate>>>

/**
 * Inserts a flag; undefined when the key is taken (the unique constraint decides, so two
 * operators creating the same key at once cannot both succeed).
 */
export async function insertFlag(
  trx: Trx,
  flag: {
    key: string
    description: string
    type: FlagType
    variants: string[]
    defaultValue: FlagValue
    createdBy: string | null
  },
  now: Date,
): Promise<{ id: string } | undefined> {
  return trx
    .insertInto('feature_flags')
    .values({
      key: flag.key,
      description: flag.description,
      type: flag.type,
      variants: flag.variants,
      default_value: JSON.stringify(flag.defaultValue),
      rollout_value: flag.type === 'boolean' ? 'true' : null,
      created_by: flag.createdBy,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('id')
    .executeTakeFirst()
}

/** Description, default and variants of the flag `id`. */
export async function updateFlagDefinition(
  trx: Trx,
  id: string,
  change: { description: string; defaultValue: FlagValue; variants: string[] },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('feature_flags')
    .set({
      description: change.description,
      default_value: JSON.stringify(change.defaultValue),
      variants: change.variants,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute()
}

/** Replaces every plan value of the flag `id` with `values` (plan id → value). */
export async function replacePlanValues(
  trx: Trx,
  id: string,
  values: Record<string, FlagValue>,
  now: Date,
): Promise<void> {
  await trx.deleteFrom('feature_flag_plan_values').where('flag_id', '=', id).execute()
  const rows = Object.entries(values).map(([planId, value]) => ({
    flag_id: id,
    plan_id: planId,
    value: JSON.stringify(value),
  }))
  if (rows.length > 0) await trx.insertInto('feature_flag_plan_values').values(rows).execute()
  await trx.updateTable('feature_flags').set({ updated_at: now }).where('id', '=', id).execute()
}

/** The rollout of the flag `id`: whole percent 0–100, plans (empty = all), value served. */
export async function updateRollout(
  trx: Trx,
  id: string,
  rollout: { percentage: number; planIds: string[]; value: FlagValue | null },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('feature_flags')
    .set({
      rollout_percentage: rollout.percentage,
      rollout_plan_ids: rollout.planIds,
      rollout_value: rollout.value === null ? null : JSON.stringify(rollout.value),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute()
}

/** Archives (`at`) or unarchives (null) the flag `id`. */
export async function setFlagArchivedAt(
  trx: Trx,
  id: string,
  at: Date | null,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('feature_flags')
    .set({ archived_at: at, updated_at: now })
    .where('id', '=', id)
    .execute()
}

/** The distinct override values of the flag `id` (which variants tenants are pinned to). */
export async function overrideValuesOf(trx: Trx, id: string): Promise<FlagValue[]> {
  const rows = await trx
    .selectFrom('feature_flag_overrides')
    .select('value')
    .distinct()
    .where('flag_id', '=', id)
    .execute()
  return rows.map((r) => r.value)
}
