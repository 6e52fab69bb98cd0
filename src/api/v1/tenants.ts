import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { listPlansCached } from '../../db/plans.js'
import { ALL_TENANTS } from '../../db/tenant-scope.js'
import { TENANT_HEALTHS, type TenantStatus } from '../../db/schema.js'
import {
  findTenantById,
  listTenants,
  TENANT_DUNNING_FILTERS,
  TENANT_SORTS,
  TENANT_STATUSES,
  type Tenant,
  type TenantListItem,
} from '../../db/tenants.js'
import { offeredPlans } from '../../plans/offered-plans.js'
import { approvalRequired } from '../../approvals/policy.js'
import { requestApproval } from '../../approvals/requests.js'
import { tenantDeleteApproval } from '../../routes/approvals-gate.js'
import { deleteTenantFromConsole } from '../../routes/tenants/deletion.js'
import { toTenantFilter } from '../../tenancy/bulk-filter.js'
import { changeTenantStatus, editTenant } from '../../tenancy/lifecycle.js'
import {
  createTenantRecord,
  describeOnboardingFailure,
  listOnboardingSteps,
  runOnboarding,
} from '../../tenancy/onboarding.js'
import { changeTenantPlan, type PlanChangeRefusal } from '../../tenancy/plan-change.js'
import { newTenantForm, tenantFields } from '../../tenancy/tenant-form.js'
import type { AppEnv } from '../../web/env.js'
import { auditContext } from '../../web/request.js'
import { requireApiPermission } from './auth.js'
import { BEARER, apiRouter } from './openapi.js'
import { ApiRefusal, problemResponse, problemResponses } from './problems.js'

// /api/v1/tenants (issue 14 item 1; seed 003's tenant endpoints). Every route reuses what the
// console's /tenants routes call — the list query and its filter, the onboarding pipeline, the
// lifecycle, deletion and plan-change domain functions — with the same messages, so a script
// and an operator meet the same rules. Writes pass auditContext(c), which names the API token.

const DAY = 'YYYY-MM-DD'
const isoDate = z.iso.datetime({ offset: true })
const nullableDate = isoDate.nullable()

export const TenantSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    status: z.enum(TENANT_STATUSES as [TenantStatus, ...TenantStatus[]]),
    planId: z.string(),
    billingEmail: z.string(),
    firstAdminEmail: z.string(),
    firstAdminName: z.string(),
    onboardingError: z.string().nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
    suspendedAt: nullableDate,
    planChangedAt: nullableDate,
    deletedAt: nullableDate,
    lastActivityAt: nullableDate,
    health: z.enum(TENANT_HEALTHS as [string, ...string[]]).nullable(),
    healthCheckedAt: nullableDate,
    purgeAfter: nullableDate.openapi({
      description: 'A deleted tenant is purged after this instant; restorable until then.',
    }),
    protected: z
      .boolean()
      .openapi({ description: 'Cannot be deleted until an owner unprotects it.' }),
    billingMrrCents: z.number().int().nullable(),
    billingCurrency: z.string().nullable(),
    dunningStartedAt: nullableDate,
  })
  .openapi('Tenant')

export const TenantListItemSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    status: z.enum(TENANT_STATUSES as [TenantStatus, ...TenantStatus[]]),
    planId: z.string(),
    planName: z.string(),
    createdAt: isoDate,
    lastActivityAt: nullableDate,
    health: z.enum(TENANT_HEALTHS as [string, ...string[]]).nullable(),
    purgeAfter: nullableDate,
    billingMrrCents: z.number().int().nullable(),
    billingCurrency: z.string().nullable(),
    dunningStartedAt: nullableDate,
    members: z.number().int(),
    storage: z
      .object({ dbBytes: z.number(), fileBytes: z.number(), takenAt: isoDate })
      .nullable()
      .openapi({ description: 'The last storage snapshot; null before the first.' }),
    node: z.string().nullable().openapi({ description: 'On Citus, the node holding the schema.' }),
  })
  .openapi('TenantListItem')

export const TenantPageSchema = z
  .object({
    data: z.array(TenantListItemSchema),
    total: z.number().int().openapi({ description: 'Tenants matching the filter, all pages.' }),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .openapi('TenantPage')

const OnboardingStepSchema = z
  .object({
    step: z.string(),
    label: z.string(),
    status: z.string(),
    error: z.string().nullable(),
    finishedAt: nullableDate,
  })
  .openapi('OnboardingStep')

export const CreatedTenantSchema = z
  .object({
    tenant: TenantSchema,
    onboarding: z
      .object({
        ok: z.boolean(),
        detail: z
          .string()
          .nullable()
          .openapi({ description: 'Why onboarding stopped, if it did.' }),
        steps: z.array(OnboardingStepSchema),
      })
      .openapi({
        description:
          'The onboarding pipeline ran before the answer; a failed step leaves the tenant `failed` (retry from the console).',
      }),
  })
  .openapi('CreatedTenant')

const NewTenantSchema = newTenantForm.openapi('NewTenant', {
  example: {
    slug: 'acme',
    name: 'Acme Inc.',
    planId: 'free',
    billingEmail: 'billing@acme.example',
    firstAdminEmail: 'ada@acme.example',
    firstAdminName: 'Ada Lovelace',
  },
})

const TenantPatchSchema = z
  .object({
    name: tenantFields.name.optional(),
    planId: tenantFields.planId.optional(),
    billingEmail: tenantFields.billingEmail.optional(),
  })
  .strict()
  .openapi('TenantPatch', { description: 'What the console’s Edit form changes; omit to keep.' })

const PlanChangeSchema = z
  .object({ planId: z.string().trim().min(1, { error: 'Choose a plan.' }).max(40) })
  .openapi('PlanChange')

const IdParam = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'a uuid' }),
})

const listQuery = z.object({
  q: z.string().trim().max(100).optional().openapi({ description: 'Part of the slug or name.' }),
  status: z
    .enum(TENANT_STATUSES as [TenantStatus, ...TenantStatus[]])
    .optional()
    .openapi({ description: 'One status; without it every tenant but the deleted ones.' }),
  plan: z.string().trim().max(40).optional().openapi({ description: 'A plan id.' }),
  from: z
    .string()
    .trim()
    .max(40)
    .optional()
    .openapi({ description: `Created on or after (${DAY}, UTC).` }),
  to: z
    .string()
    .trim()
    .max(40)
    .optional()
    .openapi({ description: `Created on or before (${DAY}, UTC).` }),
  flag: z
    .string()
    .trim()
    .max(63)
    .optional()
    .openapi({ description: 'A flag key (with flag_state).' }),
  flag_state: z
    .string()
    .trim()
    .max(100)
    .optional()
    .openapi({ description: '`on`/`off` for a boolean flag, a variant otherwise.' }),
  health: z.enum(TENANT_HEALTHS as [string, ...string[]]).optional(),
  dunning: z.enum(TENANT_DUNNING_FILTERS).optional(),
  node: z.string().trim().max(300).optional().openapi({ description: 'Citus node `host:port`.' }),
  sort: z.enum(TENANT_SORTS).optional().openapi({ description: 'Default `created`.' }),
  dir: z.enum(['asc', 'desc']).optional().openapi({ description: 'Default `desc`.' }),
  limit: z.coerce.number().int().min(1).max(200).optional().openapi({ description: 'Default 50.' }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page (opaque).' }),
})

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** A tenant as the API shows it: every timestamp an ISO 8601 string in UTC. */
export function toApiTenant(t: Tenant): z.infer<typeof TenantSchema> {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    status: t.status,
    planId: t.planId,
    billingEmail: t.billingEmail,
    firstAdminEmail: t.firstAdminEmail,
    firstAdminName: t.firstAdminName,
    onboardingError: t.onboardingError,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    suspendedAt: iso(t.suspendedAt),
    planChangedAt: iso(t.planChangedAt),
    deletedAt: iso(t.deletedAt),
    lastActivityAt: iso(t.lastActivityAt),
    health: t.health,
    healthCheckedAt: iso(t.healthCheckedAt),
    purgeAfter: iso(t.purgeAfter),
    protected: t.protected,
    billingMrrCents: t.billingMrrCents,
    billingCurrency: t.billingCurrency,
    dunningStartedAt: iso(t.dunningStartedAt),
  }
}

function toApiListItem(t: TenantListItem): z.infer<typeof TenantListItemSchema> {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    status: t.status,
    planId: t.planId,
    planName: t.planName,
    createdAt: t.createdAt.toISOString(),
    lastActivityAt: iso(t.lastActivityAt),
    health: t.health,
    purgeAfter: iso(t.purgeAfter),
    billingMrrCents: t.billingMrrCents,
    billingCurrency: t.billingCurrency,
    dunningStartedAt: iso(t.dunningStartedAt),
    members: t.members,
    storage: t.storage
      ? {
          dbBytes: t.storage.dbBytes,
          fileBytes: t.storage.fileBytes,
          takenAt: t.storage.takenAt.toISOString(),
        }
      : null,
    node: t.node ?? null,
  }
}

/**
 * The list cursor: base64url of `{ p, l }`, the next page and the page size it was made with (the
 * list pages by position, in the same order and with the same id tie-break as the /tenants page,
 * so pages never overlap). A cursor that does not decode is a 422 on `cursor`.
 */
function encodeCursor(page: number, limit: number): string {
  return Buffer.from(JSON.stringify({ p: page, l: limit })).toString('base64url')
}

function decodeCursor(cursor: string): { page: number; limit: number } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    const { p, l } = value as { p: unknown; l: unknown }
    if (
      Number.isInteger(p) &&
      Number.isInteger(l) &&
      (p as number) >= 1 &&
      (p as number) <= 100_000 &&
      (l as number) >= 1 &&
      (l as number) <= 200
    )
      return { page: p as number, limit: l as number }
  } catch {
    // falls through to the refusal
  }
  throw new ApiRefusal(422, 'invalid', 'The request has invalid fields.', [
    { field: 'cursor', message: 'This cursor is not one this list gave; start without it.' },
  ])
}

function invalid(errors: { field: string; message: string }[]): never {
  throw new ApiRefusal(422, 'invalid', 'The request has invalid fields.', errors)
}

async function tenantOr404(c: Context<AppEnv>, id: string): Promise<Tenant> {
  const tenant = await findTenantById(c.var.db, id)
  if (!tenant) throw new ApiRefusal(404, 'not_found', 'No such tenant.')
  return tenant
}

const ApprovalRequestSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.literal('pending'),
    summary: z.string(),
    reason: z.string(),
    requestedBy: z.string(),
    createdAt: z.string().datetime(),
    expiresAt: z.string().datetime(),
  })
  .openapi('ApprovalRequest')

/**
 * Dual control (issue 14 item 6) from the API: the delete becomes a request for a second
 * operator's approval, exactly as the console's does (src/routes/approvals-gate.tsx); on
 * approval it runs as this token's owner, with both names in the audit entry.
 */
async function requestTenantDeletion(c: Context<AppEnv>, tenant: Tenant, reason: string) {
  const result = await requestApproval(
    c.var.db,
    auditContext(c),
    { ...tenantDeleteApproval(tenant), reason },
    c.var.now(),
  )
  if (!result.ok) {
    if (result.reason === 'already_pending')
      throw new ApiRefusal(
        409,
        'already_pending',
        `A request to delete this tenant already waits for approval (${result.existingId}).`,
      )
    if (result.reason === 'target_not_found')
      throw new ApiRefusal(404, 'not_found', 'No such tenant.')
    invalid([
      {
        field: 'reason',
        message:
          result.reason === 'reason_required'
            ? 'Say why: tenant deletion needs a second operator’s approval, and they read this.'
            : 'Keep the reason to 500 characters.',
      },
    ])
  }
  const request = result.request
  return {
    id: request.id,
    kind: request.kind,
    status: 'pending' as const,
    summary: request.summary,
    reason: request.reason,
    requestedBy: request.requestedByEmail,
    createdAt: request.createdAt.toISOString(),
    expiresAt: request.expiresAt.toISOString(),
  }
}

/**
 * The API's delete of one tenant, after the confirmation and step-up were checked: the
 * console's own delete (pre_delete backup, then the grace-period delete). One function so dual
 * control can gate it.
 */
export async function deleteTenantFromApi(c: Context<AppEnv>, tenant: Tenant) {
  return deleteTenantFromConsole(c, tenant)
}

const notFound = { 404: problemResponse('No such tenant') }
const bodyProblems = {
  400: problemResponse('Malformed JSON'),
  415: problemResponse('The body is not application/json'),
}
const unprocessable = { 422: problemResponse('Invalid fields: one message per field') }
const conflict = (description: string) => ({ 409: problemResponse(description) })

export const tenantsApi = apiRouter()

tenantsApi.openapi(
  createRoute({
    method: 'get',
    path: '/',
    operationId: 'listTenants',
    summary: 'List tenants',
    description:
      'The /tenants page’s filters, sort and order; pages with an opaque `cursor`. Deleted tenants appear only with `status=deleted`.',
    tags: ['Tenants'],
    security: BEARER,
    middleware: [requireApiPermission('saas.tenants.view')] as const,
    request: { query: listQuery },
    responses: {
      200: json(TenantPageSchema, 'One page of tenants'),
      ...problemResponses,
      ...unprocessable,
    },
  }),
  async (c) => {
    const query = c.req.valid('query')
    const position = query.cursor
      ? decodeCursor(query.cursor)
      : { page: 1, limit: query.limit ?? 50 }
    const { filter, errors } = await toTenantFilter(c.var.db, {
      q: query.q ?? '',
      status: query.status ?? '',
      plan: query.plan ?? '',
      from: query.from ?? '',
      to: query.to ?? '',
      flag: query.flag ?? '',
      flag_state: query.flag_state ?? '',
      health: (query.health ?? '') as '',
    })
    const fields = Object.entries(errors).map(([field, message]) => ({ field, message }))
    if (fields.length > 0) invalid(fields)
    const { items, total } = await listTenants(c.var.db, ALL_TENANTS, {
      ...filter,
      dunning: query.dunning,
      node: query.node || undefined,
      dunningNow: c.var.now(),
      sort: query.sort,
      dir: query.dir,
      page: position.page,
      perPage: position.limit,
    })
    const more = position.page * position.limit < total
    return c.json(
      {
        data: items.map(toApiListItem),
        total,
        nextCursor: more ? encodeCursor(position.page + 1, position.limit) : null,
      },
      200,
    )
  },
)

tenantsApi.openapi(
  createRoute({
    method: 'post',
    path: '/',
    operationId: 'createTenant',
    summary: 'Create a tenant',
    description:
      'Creates the tenant and runs the onboarding pipeline (schema, migrations, roles, first admin) before answering, as the console does.',
    tags: ['Tenants'],
    security: BEARER,
    middleware: [requireApiPermission('saas.tenants.create')] as const,
    request: { body: jsonBody(NewTenantSchema) },
    responses: {
      201: json(CreatedTenantSchema, 'Created; `onboarding.ok` says whether it is ready'),
      ...bodyProblems,
      ...problemResponses,
      ...unprocessable,
    },
  }),
  async (c) => {
    const input = c.req.valid('json')
    const plans = await listPlansCached(c.var.db)
    if (!offeredPlans(plans).some((p) => p.id === input.planId))
      invalid([{ field: 'planId', message: 'Choose one of the plans.' }])
    const result = await createTenantRecord(c.var.db, auditContext(c), input, c.var.now())
    if (!result.ok && result.reason === 'plan_unavailable')
      invalid([{ field: 'planId', message: 'That plan was just archived; choose another.' }])
    if (!result.ok)
      invalid([{ field: 'slug', message: 'This slug is taken (deleted tenants keep theirs).' }])
    const outcome = await runOnboarding(c.var.db, auditContext(c), result.tenant.id, {
      tenantMigrationDirs: c.var.deps.config.tenantMigrationDirs,
    })
    const [tenant, steps] = await Promise.all([
      tenantOr404(c, result.tenant.id),
      listOnboardingSteps(c.var.db, result.tenant.id),
    ])
    c.header('Location', `/api/v1/tenants/${tenant.id}`)
    return c.json(
      {
        tenant: toApiTenant(tenant),
        onboarding: {
          ok: outcome.ok,
          detail: outcome.ok ? null : describeOnboardingFailure(outcome),
          steps: steps.map((s) => ({ ...s, finishedAt: iso(s.finishedAt) })),
        },
      },
      201,
    )
  },
)

tenantsApi.openapi(
  createRoute({
    method: 'get',
    path: '/{id}',
    operationId: 'getTenant',
    summary: 'Get a tenant',
    tags: ['Tenants'],
    security: BEARER,
    middleware: [requireApiPermission('saas.tenants.view')] as const,
    request: { params: IdParam },
    responses: { 200: json(TenantSchema, 'The tenant'), ...problemResponses, ...notFound },
  }),
  async (c) => c.json(toApiTenant(await tenantOr404(c, c.req.valid('param').id)), 200),
)

tenantsApi.openapi(
  createRoute({
    method: 'patch',
    path: '/{id}',
    operationId: 'updateTenant',
    summary: 'Edit a tenant',
    description: 'Name, plan and billing email, as the console’s Edit form; omitted fields stay.',
    tags: ['Tenants'],
    security: BEARER,
    middleware: [requireApiPermission('saas.tenants.edit')] as const,
    request: { params: IdParam, body: jsonBody(TenantPatchSchema) },
    responses: {
      200: json(TenantSchema, 'The tenant after the change'),
      ...bodyProblems,
      ...problemResponses,
      ...notFound,
      ...conflict('The tenant is deleted'),
      ...unprocessable,
    },
  }),
  async (c) => {
    const tenant = await tenantOr404(c, c.req.valid('param').id)
    const patch = c.req.valid('json')
    const edit = {
      name: patch.name ?? tenant.name,
      planId: patch.planId ?? tenant.planId,
      billingEmail: patch.billingEmail ?? tenant.billingEmail,
    }
    const plans = await listPlansCached(c.var.db)
    if (!offeredPlans(plans, tenant.planId).some((p) => p.id === edit.planId))
      invalid([{ field: 'planId', message: 'Choose one of the plans.' }])
    const updated = await editTenant(c.var.db, auditContext(c), tenant.id, edit, c.var.now())
    if (!updated) throw new ApiRefusal(409, 'conflict', 'This tenant can no longer be edited.')
    return c.json(toApiTenant(await tenantOr404(c, tenant.id)), 200)
  },
)

tenantsApi.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    operationId: 'deleteTenant',
    summary: 'Delete a tenant',
    description:
      'The console’s delete: `confirm` must be the tenant’s slug; the token needs step-up; a protected tenant is refused. A pre-delete backup is taken, then the tenant is kept for the grace period (`purgeAfter`) and restorable from the console until then.',
    tags: ['Tenants'],
    security: BEARER,
    middleware: [requireApiPermission('saas.tenants.delete', { stepUp: true })] as const,
    request: {
      params: IdParam,
      query: z.object({
        confirm: z
          .string()
          .max(100)
          .optional()
          .openapi({ description: 'The tenant’s slug, typed again.' }),
        reason: z.string().max(1000).optional().openapi({
          description:
            'Why: required while an owner has put tenant deletion under dual control (/settings/approvals); the approver reads it.',
        }),
      }),
    },
    responses: {
      200: json(TenantSchema, 'The deleted tenant'),
      202: json(
        ApprovalRequestSchema,
        'Tenant deletion is under dual control: a request now waits for a second owner or admin (24 hours); nothing was deleted',
      ),
      ...problemResponses,
      ...notFound,
      ...conflict('Already deleted'),
      ...unprocessable,
    },
  }),
  async (c) => {
    const tenant = await tenantOr404(c, c.req.valid('param').id)
    if ((c.req.valid('query').confirm ?? '').trim() !== tenant.slug)
      invalid([{ field: 'confirm', message: `Type ${tenant.slug} exactly to delete this tenant.` }])
    if (await approvalRequired(c.var.db, 'tenant.delete', c.var.now().getTime())) {
      return c.json(await requestTenantDeletion(c, tenant, c.req.valid('query').reason ?? ''), 202)
    }
    const result = await deleteTenantFromApi(c, tenant)
    if (!result.ok && result.conflict) throw new ApiRefusal(409, 'conflict', result.message)
    if (!result.ok) {
      throw new ApiRefusal(422, tenant.protected ? 'protected' : 'refused', result.message, [
        { field: 'id', message: result.message },
      ])
    }
    return c.json(toApiTenant(await tenantOr404(c, tenant.id)), 200)
  },
)

const suspensionRoute = (method: 'post' | 'delete') =>
  createRoute({
    method,
    path: '/{id}/suspension',
    operationId: method === 'post' ? 'suspendTenant' : 'activateTenant',
    summary: method === 'post' ? 'Suspend a tenant' : 'Activate a suspended tenant',
    description:
      method === 'post'
        ? 'An active tenant becomes suspended (its users cannot sign in); as the console’s Suspend.'
        : 'Lifts the suspension; as the console’s Activate (Undo).',
    tags: ['Tenants'],
    security: BEARER,
    middleware: [requireApiPermission('saas.tenants.suspend')] as const,
    request: { params: IdParam },
    responses: {
      200: json(TenantSchema, 'The tenant after the change'),
      ...problemResponses,
      ...notFound,
      ...conflict('Not in a status this change applies to'),
    },
  })

async function changeStatus(c: Context<AppEnv>, id: string, change: 'suspend' | 'activate') {
  const tenant = await tenantOr404(c, id)
  const updated = await changeTenantStatus(
    c.var.db,
    auditContext(c),
    tenant.id,
    change,
    c.var.now(),
  )
  const verb = change === 'suspend' ? 'suspended' : 'activated'
  if (!updated)
    throw new ApiRefusal(
      409,
      'conflict',
      `${tenant.slug} cannot be ${verb} from status ${tenant.status}.`,
    )
  return toApiTenant(updated)
}

tenantsApi.openapi(suspensionRoute('post'), async (c) =>
  c.json(await changeStatus(c, c.req.valid('param').id, 'suspend'), 200),
)
tenantsApi.openapi(suspensionRoute('delete'), async (c) =>
  c.json(await changeStatus(c, c.req.valid('param').id, 'activate'), 200),
)

/** The licences page's refusals of a plan change (src/routes/tenants/plan.tsx), as problems. */
function planRefusal(reason: PlanChangeRefusal, slug: string, planId: string): ApiRefusal {
  const field = (message: string) =>
    new ApiRefusal(422, 'invalid', 'The request has invalid fields.', [
      { field: 'planId', message },
    ])
  switch (reason) {
    case 'plan_not_found':
      return field(`There is no plan “${planId}”; nothing changed.`)
    case 'plan_archived':
      return field(`${planId} is archived and takes no new tenants; ${slug} was not moved.`)
    case 'tenant_deleted':
      return new ApiRefusal(409, 'conflict', `${slug} is deleted: its plan cannot change.`)
    default:
      return new ApiRefusal(404, 'not_found', 'No such tenant.')
  }
}

tenantsApi.openapi(
  createRoute({
    method: 'put',
    path: '/{id}/plan',
    operationId: 'changeTenantPlan',
    summary: 'Move a tenant to a plan',
    description:
      'The licences page’s plan change (needs saas.plans.edit). Moving a tenant to the plan it is on changes nothing and answers 200.',
    tags: ['Tenants'],
    security: BEARER,
    middleware: [requireApiPermission('saas.plans.edit')] as const,
    request: { params: IdParam, body: jsonBody(PlanChangeSchema) },
    responses: {
      200: json(TenantSchema, 'The tenant on its plan'),
      ...bodyProblems,
      ...problemResponses,
      ...notFound,
      ...conflict('The tenant is deleted'),
      ...unprocessable,
    },
  }),
  async (c) => {
    const tenant = await tenantOr404(c, c.req.valid('param').id)
    const { planId } = c.req.valid('json')
    const result = await changeTenantPlan(c.var.db, auditContext(c), tenant.id, planId, c.var.now())
    if (!result.ok && result.reason !== 'unchanged')
      throw planRefusal(result.reason, tenant.slug, planId)
    return c.json(toApiTenant(await tenantOr404(c, tenant.id)), 200)
  },
)
