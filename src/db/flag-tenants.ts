import { sql, type RawBuilder } from 'kysely'
import type { Db } from './database.js'
import { flagResolutionSql } from './flag-resolution-sql.js'
import type { FeatureFlag } from './flags.js'
import type { FlagValue, TenantStatus } from './schema.js'
import type { TenantScope } from './tenant-scope.js'
import type { FlagWhy } from '../flags/resolve.js'

// Reads for the flag pages (issue 9 item 3): override counts, one flag's overrides, and the
// flag resolved for every tenant — filtered, counted and paged in SQL.

/** flag id → how many tenants override it (one grouped statement). */
export async function countOverridesByFlag(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('feature_flag_overrides')
    .select(['flag_id', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('flag_id')
    .execute()
  return new Map(rows.map((r) => [r.flag_id, Number(r.n)]))
}

/** One tenant's override of a flag, as the flag page lists it. */
export type FlagOverrideItem = {
  tenantId: string
  slug: string
  name: string
  value: FlagValue
  updatedAt: Date
}

/** The flag's overrides with their tenants, by slug (one statement). */
export async function listFlagOverrides(db: Db, flagId: string): Promise<FlagOverrideItem[]> {
  const rows = await db
    .selectFrom('feature_flag_overrides as o')
    .innerJoin('tenants', 'tenants.id', 'o.tenant_id')
    .select(['o.tenant_id', 'tenants.slug', 'tenants.name', 'o.value', 'o.updated_at'])
    .where('o.flag_id', '=', flagId)
    .orderBy('tenants.slug')
    .execute()
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    slug: r.slug,
    name: r.name,
    value: r.value,
    updatedAt: r.updated_at,
  }))
}

export type FlagTenantFilter = {
  why?: FlagWhy
  value?: FlagValue
  /** Substring of the slug or the name, case-insensitive. */
  q?: string
  planId?: string
  page?: number
  perPage?: number
}

/** One tenant with the flag's value for it and why. */
export type FlagTenantItem = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  planId: string
  value: FlagValue
  why: FlagWhy
}

/**
 * The flag's value for a row whose `why` (flagResolutionSql) is already known, as jsonb: reads
 * the override only for override rows and never hashes again, so a filter on why computes the
 * rollout bucket once per tenant instead of once per mention.
 */
function valueForWhySql(flag: FeatureFlag, why: RawBuilder<unknown>) {
  const json = (v: FlagValue | null) => sql`${JSON.stringify(v)}::jsonb`
  const entries = Object.entries(flag.planValues)
  const planValue =
    entries.length > 0
      ? sql`(case tenants.plan_id ${sql.join(
          entries.map(([plan, v]) => sql`when ${plan} then ${json(v)}`),
          sql` `,
        )} end)`
      : sql`null::jsonb`
  const override = sql`(select o.value from feature_flag_overrides o where o.flag_id = ${flag.id} and o.tenant_id = tenants.id)`
  return sql`(case ${why} when 'override' then ${override} when 'rollout' then ${json(flag.rolloutValue)} when 'plan' then ${planValue} else ${json(flag.defaultValue)} end)`
}

/**
 * The flag resolved for every tenant that is not deleted, by slug, narrowed by `filter` and by
 * `scope` (DESIGN.md §11): two statements whatever the fleet's size — one page (`perPage`,
 * default 50) and one count — with the "why" computed in SQL by `flagResolutionSql` (which
 * agrees with `resolveFlag`) and the value from the why. The why sits in a lateral subquery
 * fenced by `offset 0`, so PostgreSQL computes it (a sha256 per tenant when there is a rollout)
 * once per row it reads — only the page's rows when nothing filters on it — instead of once per
 * mention. No query per tenant.
 */
export async function listFlagTenants(
  db: Db,
  scope: TenantScope,
  flag: FeatureFlag,
  filter: FlagTenantFilter,
): Promise<{ items: FlagTenantItem[]; total: number }> {
  const perPage = filter.perPage ?? 50
  const page = Math.max(1, filter.page ?? 1)
  const { why } = flagResolutionSql(flag)
  const term = filter.q?.trim().toLowerCase()
  const pattern = term ? `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : undefined
  let base = db.selectFrom('tenants').where('tenants.status', '!=', 'deleted')
  if (scope.tenantId) base = base.where('tenants.id', '=', scope.tenantId)
  if (filter.planId) base = base.where('tenants.plan_id', '=', filter.planId)
  if (pattern)
    base = base.where(sql<boolean>`tenants.slug || ' ' || lower(tenants.name) like ${pattern}`)
  const value = valueForWhySql(flag, sql.ref('w.why'))
  let resolved = base.innerJoinLateral(db.selectNoFrom(why.as('why')).offset(0).as('w'), (join) =>
    join.onTrue(),
  )
  if (filter.why) resolved = resolved.where('w.why', '=', filter.why)
  if (filter.value !== undefined)
    resolved = resolved.where(sql<boolean>`${value} = ${JSON.stringify(filter.value)}::jsonb`)
  // Without a filter on the resolution, the count need not compute it at all.
  const counted = filter.why || filter.value !== undefined ? resolved : base
  const [rows, count] = await Promise.all([
    resolved
      .select([
        'tenants.id',
        'tenants.slug',
        'tenants.name',
        'tenants.status',
        'tenants.plan_id',
        'w.why',
        value.as('value'),
      ])
      .orderBy('tenants.slug')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute(),
    counted.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    items: rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      status: r.status,
      planId: r.plan_id,
      value: r.value as FlagValue,
      why: r.why as FlagWhy,
    })),
    total: Number(count.n),
  }
}
