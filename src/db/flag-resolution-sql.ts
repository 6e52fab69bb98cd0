import { sql, type RawBuilder } from 'kysely'
import type { FlagWhy } from '../flags/resolve.js'
import type { FeatureFlag } from './flags.js'

/**
 * `rolloutBucket(flagKey, tenantId)` (src/flags/resolve.ts) in SQL: the first four bytes of
 * sha256(`<key>:<tenant id>`) as an unsigned integer, modulo 10 000. `tenantId` is a column
 * reference such as `sql.ref('tenants.id')`.
 */
export function rolloutBucketSql(flagKey: string, tenantId: RawBuilder<unknown>) {
  return sql<number>`(('x' || encode(substring(sha256(convert_to(${flagKey} || ':' || ${tenantId}::text, 'UTF8')) from 1 for 4), 'hex'))::bit(32)::bigint % 10000)`
}

/**
 * The flag's resolution for every row of a query over tenants, as two SQL expressions — `value`
 * (jsonb) and `why` (text) — that agree with `resolveFlag` (tested in flag-resolution-sql.test.ts).
 * For the tenants table's flag-state filter, the flag page and bulk previews: one statement
 * filters, counts and pages by a flag's state instead of resolving every tenant in memory.
 * `table` names the tenants relation in the query (default `tenants`); it is a fixed identifier,
 * never input. Per row: one primary-key lookup of the tenant's override.
 */
export function flagResolutionSql(
  flag: FeatureFlag,
  table = 'tenants',
): { value: RawBuilder<unknown>; why: RawBuilder<FlagWhy> } {
  const tenantId = sql.ref(`${table}.id`)
  const planId = sql.ref(`${table}.plan_id`)
  const defaultValue = sql`${JSON.stringify(flag.defaultValue)}::jsonb`
  if (flag.archived) return { value: defaultValue, why: sql<FlagWhy>`'archived'::text` }
  const override = sql`(select o.value from feature_flag_overrides o where o.flag_id = ${flag.id} and o.tenant_id = ${tenantId})`
  const inPlans =
    flag.rolloutPlanIds.length > 0
      ? sql`${planId} in (${sql.join(flag.rolloutPlanIds)})`
      : sql`true`
  const inRollout =
    flag.rolloutPercentage > 0 && flag.rolloutValue !== null
      ? sql`(${inPlans} and ${rolloutBucketSql(flag.key, tenantId)} < ${flag.rolloutPercentage * 100})`
      : sql`false`
  const rolloutValue = sql`${JSON.stringify(flag.rolloutValue)}::jsonb`
  const entries = Object.entries(flag.planValues)
  const planValue =
    entries.length > 0
      ? sql`(case ${planId} ${sql.join(
          entries.map(([plan, v]) => sql`when ${plan} then ${JSON.stringify(v)}::jsonb`),
          sql` `,
        )} end)`
      : sql`null::jsonb`
  return {
    value: sql`(case when ${override} is not null then ${override} when ${inRollout} then ${rolloutValue} when ${planValue} is not null then ${planValue} else ${defaultValue} end)`,
    why: sql<FlagWhy>`(case when ${override} is not null then 'override' when ${inRollout} then 'rollout' when ${planValue} is not null then 'plan' else 'default' end)`,
  }
}
