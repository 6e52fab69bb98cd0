import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { listFlagOverrides, listFlagTenants } from '../../db/flag-tenants.js'
import { findFlagByKey, type FeatureFlag } from '../../db/flags.js'
import { listPlansCached } from '../../db/plans.js'
import { FLAG_KEY_PATTERN, parseFlagValue } from '../../flags/flag-rules.js'
import type { FlagWhy } from '../../flags/resolve.js'
import { FlagPage, type FlagFormState } from '../../views/flags/flag-page.js'
import { FlagTenantTable, type FlagTenantQuery } from '../../views/flags/flag-tenants.js'
import type { AppEnv } from '../../web/env.js'
import { requirePermission } from '../../web/guards.js'
import { pageOrFragment } from '../../web/render.js'
import { flagChangeRoutes } from './flag-changes.js'

// GET /flags/:key: the flag page; under htmx its resolved-tenants table alone (the filter).

const PER_PAGE = 50

const tenantQuery = z.object({
  why: z.enum(['override', 'rollout', 'plan', 'default', 'archived', '']).catch(''),
  value: z.string().trim().max(63).catch(''),
  q: z.string().trim().max(100).catch(''),
  plan: z.string().trim().max(40).catch(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
})

export const flagPageRoutes = new Hono<AppEnv>()

/** The flag of `:key`, or 404 (the permission was checked before the lookup). */
export async function flagOr404(c: Context<AppEnv>): Promise<FeatureFlag> {
  const key = c.req.param('key') ?? ''
  const flag = FLAG_KEY_PATTERN.test(key) ? await findFlagByKey(c.var.db, key) : undefined
  if (!flag) throw new HTTPException(404, { message: 'No such feature flag.' })
  return flag
}

/**
 * The flag page for `flag` (or, under htmx on a GET, its tenants table), with the resolved
 * table as `query` asks; `form` re-renders a refused form with its messages (422).
 */
export async function renderFlagPage(
  c: Context<AppEnv>,
  flag: FeatureFlag,
  form?: FlagFormState,
  query: FlagTenantQuery = tenantQuery.parse(c.req.query()),
) {
  const db = c.var.db
  const value = query.value ? parseFlagValue(flag, query.value) : undefined
  const [plans, overrides, tenants] = await Promise.all([
    listPlansCached(db),
    listFlagOverrides(db, flag.id),
    listFlagTenants(db, c.var.scope.filter, flag, {
      why: (query.why || undefined) as FlagWhy | undefined,
      value,
      q: query.q,
      planId: query.plan || undefined,
      page: query.page,
      perPage: PER_PAGE,
    }),
  ])
  const props = {
    operator: c.var.operator,
    flag,
    plans,
    overrides,
    ...tenants,
    perPage: PER_PAGE,
    query: { ...query, value: value === undefined ? '' : query.value },
    form,
  }
  return pageOrFragment(
    c,
    () => <FlagTenantTable {...props} />,
    () => <FlagPage {...props} />,
    { title: `Flag ${flag.key}` },
    form ? 422 : 200,
  )
}

flagPageRoutes.get('/:key', requirePermission('saas.tenants.view'), async (c) =>
  renderFlagPage(c, await flagOr404(c)),
)

flagPageRoutes.route('/', flagChangeRoutes)
