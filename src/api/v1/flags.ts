import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { countOverridesByFlag } from '../../db/flag-tenants.js'
import { findFlagByKey, findTenantOverrides, listFlags, type FeatureFlag } from '../../db/flags.js'
import type { FlagValue } from '../../db/schema.js'
import { findTenantById, type Tenant } from '../../db/tenants.js'
import { setTenantOverride } from '../../flags/flag-changes.js'
import { FLAG_KEY_PATTERN } from '../../flags/flag-rules.js'
import { resolveFlag } from '../../flags/resolve.js'
import type { AppEnv } from '../../web/env.js'
import { auditContext } from '../../web/request.js'
import { requireApiPermission } from './auth.js'
import { BEARER, apiRouter } from './openapi.js'
import { ApiRefusal, problemResponse, problemResponses } from './problems.js'

// /api/v1/flags and /api/v1/tenants/{id}/flags/{key} (issue 14 item 1; seed 003): the flag list
// and a tenant's override, set or cleared through the same audited verb as the tenant page's
// toggle (src/flags/flag-changes.ts). Mounted at '/', so the tenant paths sit beside the tenants
// router's without either knowing of the other. Reading flags needs saas.tenants.view, as /flags.

const FlagValueSchema = z.union([z.boolean(), z.string()]).openapi('FlagValue')
// Inline, not `FlagValueSchema.nullable()`: a nullable $ref comes out of the generator without
// `null` in OpenAPI 3.1, and the conformance test (rightly) refuses the null it then sends.
const flagValueOrNull = () => z.union([z.boolean(), z.string(), z.null()])

const FlagSchema = z
  .object({
    key: z.string(),
    description: z.string(),
    type: z.enum(['boolean', 'string']),
    variants: z.array(z.string()).openapi({ description: 'Allowed values of a string flag.' }),
    defaultValue: FlagValueSchema,
    rolloutPercentage: z.number().int().min(0).max(100),
    rolloutValue: flagValueOrNull(),
    rolloutPlanIds: z.array(z.string()),
    planValues: z.record(z.string(), FlagValueSchema).openapi({ description: 'plan id → value' }),
    archived: z.boolean(),
    archivedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    overrideCount: z.number().int().openapi({ description: 'Tenants with an override.' }),
  })
  .openapi('Flag')

const FlagListSchema = z.object({ data: z.array(FlagSchema) }).openapi('FlagList')

const TenantFlagSchema = z
  .object({
    key: z.string(),
    tenantId: z.uuid(),
    override: flagValueOrNull().openapi({ description: 'Null: no override.' }),
    value: FlagValueSchema.openapi({ description: 'What the tenant gets now.' }),
    why: z.enum(['archived', 'override', 'rollout', 'plan', 'default']),
  })
  .openapi('TenantFlag')

const listQuery = z.object({
  state: z.enum(['active', 'archived', 'all']).default('active'),
})
const keyParam = z.object({ key: z.string() })
const tenantFlagParams = z.object({
  id: z.string().openapi({ format: 'uuid', description: 'The tenant' }),
  key: z.string(),
})
const overrideBody = z.strictObject({
  value: z.union([z.boolean(), z.string()], { error: 'Give true/false, or one of the variants.' }),
})

const view = requireApiPermission('saas.tenants.view')
const edit = requireApiPermission('saas.flags.edit')
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

export const flagApiRoutes = apiRouter()

flagApiRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flags',
    operationId: 'listFlags',
    summary: 'Feature flags, by key',
    tags: ['flags'],
    security: BEARER,
    middleware: [view] as const,
    request: { query: listQuery },
    responses: {
      200: json(FlagListSchema, 'The flags'),
      ...problemResponses,
      422: problemResponse('Invalid state'),
    },
  }),
  async (c) => {
    const { state } = c.req.valid('query')
    const [flags, counts] = await Promise.all([
      listFlags(c.var.db, { includeArchived: state !== 'active' }),
      countOverridesByFlag(c.var.db),
    ])
    const shown = state === 'archived' ? flags.filter((f) => f.archived) : flags
    return c.json({ data: shown.map((f) => flagJson(f, counts.get(f.id) ?? 0)) }, 200)
  },
)

flagApiRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flags/{key}',
    operationId: 'getFlag',
    summary: 'One feature flag',
    tags: ['flags'],
    security: BEARER,
    middleware: [view] as const,
    request: { params: keyParam },
    responses: {
      200: json(FlagSchema, 'The flag'),
      ...problemResponses,
      404: problemResponse('No such flag'),
    },
  }),
  async (c) => {
    const flag = await flagOr404(c, c.req.valid('param').key)
    const counts = await countOverridesByFlag(c.var.db)
    return c.json(flagJson(flag, counts.get(flag.id) ?? 0), 200)
  },
)

flagApiRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/tenants/{id}/flags/{key}',
    operationId: 'setTenantFlagOverride',
    summary: "Set a tenant's override of a flag",
    description: 'Setting the override the tenant already has changes nothing (no audit entry).',
    tags: ['flags'],
    security: BEARER,
    middleware: [edit] as const,
    request: {
      params: tenantFlagParams,
      body: { required: true, content: { 'application/json': { schema: overrideBody } } },
    },
    responses: {
      200: json(TenantFlagSchema, "The tenant's flag after the change"),
      ...problemResponses,
      400: problemResponse('Malformed JSON'),
      404: problemResponse('No such tenant or flag'),
      409: problemResponse('The flag is archived, or the tenant deleted'),
      422: problemResponse('Not a value of this flag'),
    },
  }),
  async (c) => {
    const { id, key } = c.req.valid('param')
    return changeOverride(c, id, key, c.req.valid('json').value)
  },
)

flagApiRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/tenants/{id}/flags/{key}',
    operationId: 'clearTenantFlagOverride',
    summary: "Clear a tenant's override of a flag",
    description: 'Clearing an override the tenant does not have changes nothing (no audit entry).',
    tags: ['flags'],
    security: BEARER,
    middleware: [edit] as const,
    request: { params: tenantFlagParams },
    responses: {
      200: json(TenantFlagSchema, "The tenant's flag after the change"),
      ...problemResponses,
      404: problemResponse('No such tenant or flag'),
      409: problemResponse('The flag is archived, or the tenant deleted'),
    },
  }),
  async (c) => {
    const { id, key } = c.req.valid('param')
    return changeOverride(c, id, key, null)
  },
)

async function flagOr404(c: Context<AppEnv>, key: string): Promise<FeatureFlag> {
  const flag = FLAG_KEY_PATTERN.test(key) ? await findFlagByKey(c.var.db, key) : undefined
  if (!flag) throw new ApiRefusal(404, 'not_found', 'No such feature flag.')
  return flag
}

/**
 * Sets (`value`) or clears (null) the override through the console's verb, then answers with
 * what the tenant resolves to. An unchanged override is not an error: the answer is the same.
 */
async function changeOverride(
  c: Context<AppEnv>,
  tenantId: string,
  key: string,
  value: FlagValue | null,
) {
  const tenant = await findTenantById(c.var.db, tenantId)
  if (!tenant) throw new ApiRefusal(404, 'not_found', 'No such tenant.')
  await flagOr404(c, key)
  const result = await setTenantOverride(
    c.var.db,
    auditContext(c),
    key,
    tenant.id,
    value,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'flag_not_found') {
    throw new ApiRefusal(404, 'not_found', 'No such feature flag.')
  }
  if (!result.ok && result.reason === 'invalid_value') {
    throw new ApiRefusal(422, 'invalid', 'The request has invalid fields.', [
      { field: 'value', message: `That is not a value of ${key}; nothing was changed.` },
    ])
  }
  if (!result.ok && result.reason === 'flag_archived') {
    throw new ApiRefusal(409, 'flag_archived', `Flag ${key} is archived: it cannot be overridden.`)
  }
  if (!result.ok && result.reason === 'tenant_not_found') {
    throw new ApiRefusal(409, 'tenant_deleted', 'This tenant is deleted; nothing was changed.')
  }
  return c.json(await tenantFlagJson(c, tenant, key), 200)
}

async function tenantFlagJson(c: Context<AppEnv>, tenant: Tenant, key: string) {
  const flag = (await findFlagByKey(c.var.db, key))!
  const override = (await findTenantOverrides(c.var.db, tenant.id)).get(flag.id)
  const resolution = resolveFlag(flag, { tenantId: tenant.id, planId: tenant.planId, override })
  return {
    key: flag.key,
    tenantId: tenant.id,
    override: override ?? null,
    value: resolution.value,
    why: resolution.why,
  }
}

function flagJson(f: FeatureFlag, overrideCount: number) {
  return {
    key: f.key,
    description: f.description,
    type: f.type,
    variants: f.variants,
    defaultValue: f.defaultValue,
    rolloutPercentage: f.rolloutPercentage,
    rolloutValue: f.rolloutValue,
    rolloutPlanIds: f.rolloutPlanIds,
    planValues: f.planValues,
    archived: f.archived,
    archivedAt: f.archivedAt?.toISOString() ?? null,
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
    overrideCount,
  }
}
