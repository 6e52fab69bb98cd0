import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database } from './schema.js'

// A plan's included features (issue 9 item 1): the boolean flags whose value for the plan is
// true, i.e. rows of `feature_flag_plan_values` with value `true`. The plan form offers every
// boolean flag that is not archived; string flags and false values are the flags page's business.

/** A boolean flag the plan form offers as a checkbox. */
export type FeatureChoice = { id: string; key: string; description: string }

/** Boolean flags that are not archived, by key: what a plan can include. */
export async function listFeatureChoices(db: Db): Promise<FeatureChoice[]> {
  return db
    .selectFrom('feature_flags')
    .select(['id', 'key', 'description'])
    .where('type', '=', 'boolean')
    .where('archived_at', 'is', null)
    .orderBy('key')
    .execute()
}

/**
 * plan id → keys of the boolean flags on (value true) for that plan, archived flags included
 * (they still resolve), keys in order; one statement for every plan, or only `planId`'s.
 */
export async function listIncludedFeatures(
  db: Db,
  planId?: string,
): Promise<Map<string, string[]>> {
  const rows = await db
    .selectFrom('feature_flag_plan_values as v')
    .innerJoin('feature_flags as f', 'f.id', 'v.flag_id')
    .select(['v.plan_id', 'f.key'])
    .where('f.type', '=', 'boolean')
    .where(sql<boolean>`v.value = 'true'::jsonb`)
    .$if(planId !== undefined, (qb) => qb.where('v.plan_id', '=', planId!))
    .orderBy('f.key')
    .execute()
  const byPlan = new Map<string, string[]>()
  for (const r of rows) byPlan.set(r.plan_id, [...(byPlan.get(r.plan_id) ?? []), r.key])
  return byPlan
}

/**
 * Makes exactly `flagIds` the plan's included features among the offered flags (boolean, not
 * archived): their value for the plan becomes true, and the other offered flags' `true` rows for
 * the plan are removed (they fall back to the flag's default). An explicit off for the plan, set
 * on the flag's page, is not an included feature and stays. Archived and string flags are left
 * alone.
 * Ids that are not offered are ignored; the caller validates them first.
 */
export async function replaceIncludedFeatures(
  trx: Transaction<Database>,
  planId: string,
  flagIds: string[],
): Promise<void> {
  const offered = (await listFeatureChoices(trx)).map((f) => f.id)
  const chosen = flagIds.filter((id) => offered.includes(id))
  const dropped = offered.filter((id) => !chosen.includes(id))
  if (dropped.length > 0)
    await trx
      .deleteFrom('feature_flag_plan_values')
      .where('plan_id', '=', planId)
      .where('flag_id', 'in', dropped)
      .where(sql<boolean>`value = 'true'::jsonb`)
      .execute()
  if (chosen.length > 0)
    await trx
      .insertInto('feature_flag_plan_values')
      .values(chosen.map((id) => ({ flag_id: id, plan_id: planId, value: 'true' })))
      .onConflict((oc) => oc.columns(['flag_id', 'plan_id']).doUpdateSet({ value: 'true' }))
      .execute()
}
