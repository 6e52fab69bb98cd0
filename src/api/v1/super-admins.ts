import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { OPERATOR_ROLES } from '../../db/schema.js'
import { isUuid } from '../../db/tenants.js'
import {
  findSuperAdminById,
  listSuperAdmins,
  type SuperAdminListItem,
} from '../../db/super-admins.js'
import { deliverInvitation, inviteOperator, type Invitation } from '../../operators/invitations.js'
import { deactivateOperator, reactivateOperator } from '../../operators/lifecycle.js'
import type { AppEnv } from '../../web/env.js'
import { auditContext } from '../../web/request.js'
import { requireApiPermission } from './auth.js'
import { BEARER, apiRouter } from './openapi.js'
import { ApiRefusal, problemResponse, problemResponses } from './problems.js'

// /api/v1/super-admins (issue 14 item 1; seed 003): the operators list, an invitation and a
// deactivation, through the console's domain verbs (src/operators). Owners only
// (saas.super_admins.manage); the changes are the ones the console guards with step-up, so a
// token must have been created with step-up for them. Never a hash, TOTP secret or link token:
// the invitation link goes to the invitee by mail (or the development outbox), not to the caller.

const SuperAdminSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(OPERATOR_ROLES),
    isActive: z.boolean(),
    mfaEnabled: z.boolean(),
    invitationPending: z
      .boolean()
      .openapi({ description: 'True until the admin set a password through their link.' }),
    lastLoginAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    invitedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
  })
  .openapi('SuperAdmin')

const SuperAdminListSchema = z.object({ data: z.array(SuperAdminSchema) }).openapi('SuperAdminList')

const InvitationSchema = z
  .object({
    superAdmin: SuperAdminSchema,
    invitation: z.object({
      expiresAt: z.iso.datetime(),
      delivery: z.enum(['smtp', 'relay', 'outbox', 'failed']).openapi({
        description:
          '`failed`: the invitation exists but the mail could not be sent; the console sends a new link.',
      }),
    }),
  })
  .openapi('SuperAdminInvitation')

const DeactivationSchema = z
  .object({
    superAdmin: SuperAdminSchema,
    sessionsEnded: z.number().int(),
    linksRevoked: z.number().int(),
  })
  .openapi('SuperAdminDeactivation')

const inviteBody = z.strictObject({
  email: z
    .string()
    .trim()
    .pipe(
      z
        .email({ error: 'Enter a valid email address.' })
        .max(320, { error: 'Use at most 320 characters.' }),
    ),
  name: z
    .string()
    .trim()
    .min(1, { error: 'Enter a name.' })
    .max(200, { error: 'Use at most 200 characters.' })
    .regex(/^\P{Cc}*$/u, { error: 'Use no control characters.' }),
  role: z.enum(OPERATOR_ROLES, { error: 'Choose one of the roles.' }),
})

const idParam = z.object({ id: z.string().openapi({ format: 'uuid' }) })

const manage = requireApiPermission('saas.super_admins.manage')
const manageWithStepUp = requireApiPermission('saas.super_admins.manage', { stepUp: true })
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

export const superAdminApiRoutes = apiRouter()

superAdminApiRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/',
    operationId: 'listSuperAdmins',
    summary: 'Every super admin, ordered by email',
    tags: ['super admins'],
    security: BEARER,
    middleware: [manage] as const,
    responses: { 200: json(SuperAdminListSchema, 'The super admins'), ...problemResponses },
  }),
  async (c) => {
    const items = await listSuperAdmins(c.var.db)
    return c.json({ data: items.map(superAdminJson) }, 200)
  },
)

superAdminApiRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    operationId: 'inviteSuperAdmin',
    summary: 'Invite a super admin (needs a token created with step-up)',
    description:
      'Creates the admin without password or TOTP and mails them a 72-hour invitation link ' +
      '(to the development outbox without SMTP). The link is never returned.',
    tags: ['super admins'],
    security: BEARER,
    middleware: [manageWithStepUp] as const,
    request: { body: { required: true, content: { 'application/json': { schema: inviteBody } } } },
    responses: {
      201: json(InvitationSchema, 'Invited'),
      ...problemResponses,
      400: problemResponse('Malformed JSON'),
      422: problemResponse('Invalid fields, or a super admin with this email exists'),
    },
  }),
  async (c) => {
    const input = c.req.valid('json')
    const source = { via: 'console', invitedBy: c.var.operator.id } as const
    const invited = await inviteOperator(c.var.db, auditContext(c), input, source, c.var.now())
    if (!invited.ok) {
      throw new ApiRefusal(422, 'invalid', 'The request has invalid fields.', [
        { field: 'email', message: 'A super admin with this email already exists.' },
      ])
    }
    const delivery = await deliver(c, invited)
    const superAdmin = await listItem(c, invited.operator.id)
    const expiresAt = invited.expiresAt.toISOString()
    return c.json({ superAdmin, invitation: { expiresAt, delivery } }, 201)
  },
)

superAdminApiRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/{id}/deactivation',
    operationId: 'deactivateSuperAdmin',
    summary: 'Deactivate a super admin (needs a token created with step-up)',
    description:
      'Their sessions, unused links and API tokens stop working at once. The last active owner ' +
      'cannot be deactivated (409 `last_owner`).',
    tags: ['super admins'],
    security: BEARER,
    middleware: [manageWithStepUp] as const,
    request: { params: idParam },
    responses: {
      200: json(DeactivationSchema, 'Deactivated'),
      ...problemResponses,
      404: problemResponse('No such super admin'),
      409: problemResponse('The last active owner, or already deactivated'),
    },
  }),
  async (c) => {
    const id = c.req.valid('param').id
    const target = isUuid(id) ? await findSuperAdminById(c.var.db, id) : undefined
    if (!target) throw notFound()
    const result = await deactivateOperator(c.var.db, auditContext(c), target.id, c.var.now())
    if (!result.ok && result.reason === 'not_found') throw notFound()
    if (!result.ok && result.reason === 'last_owner') {
      throw new ApiRefusal(
        409,
        'last_owner',
        'This is the last active owner: make another admin an owner first.',
      )
    }
    if (!result.ok) throw new ApiRefusal(409, 'conflict', `${target.email} is already deactivated.`)
    const { sessionsEnded, linksRevoked } = result
    return c.json({ superAdmin: await listItem(c, target.id), sessionsEnded, linksRevoked }, 200)
  },
)

superAdminApiRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}/deactivation',
    operationId: 'reactivateSuperAdmin',
    summary: 'Reactivate a super admin (needs a token created with step-up)',
    description: 'They sign in again with the password and TOTP they had; old tokens work again.',
    tags: ['super admins'],
    security: BEARER,
    middleware: [manageWithStepUp] as const,
    request: { params: idParam },
    responses: {
      200: json(SuperAdminSchema, 'Active again'),
      ...problemResponses,
      404: problemResponse('No such super admin'),
      409: problemResponse('Already active'),
    },
  }),
  async (c) => {
    const id = c.req.valid('param').id
    const target = isUuid(id) ? await findSuperAdminById(c.var.db, id) : undefined
    if (!target) throw notFound()
    const result = await reactivateOperator(c.var.db, auditContext(c), target.id, c.var.now())
    if (!result.ok && result.reason === 'not_found') throw notFound()
    if (!result.ok) throw new ApiRefusal(409, 'conflict', `${target.email} is already active.`)
    return c.json(await listItem(c, target.id), 200)
  },
)

function notFound() {
  return new ApiRefusal(404, 'not_found', 'No such super admin.')
}

/** The admin as the list shows them (with who invited them); they exist, as they were just read. */
async function listItem(c: Context<AppEnv>, id: string) {
  const found = (await listSuperAdmins(c.var.db)).find((a) => a.id === id)
  return superAdminJson(found!)
}

function superAdminJson(a: SuperAdminListItem) {
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    role: a.role,
    isActive: a.isActive,
    mfaEnabled: a.mfaEnabled,
    invitationPending: a.invitationPending,
    lastLoginAt: a.lastLoginAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
    invitedBy: a.invitedBy,
  }
}

/**
 * Mails the link after the invitation committed, as the console does. A mail that fails leaves
 * the invitation in place: the answer says `failed`, the cause goes to the log with the request id.
 */
async function deliver(c: Context<AppEnv>, invitation: Invitation) {
  try {
    const via = await deliverInvitation(
      c.var.db,
      c.var.deps.config,
      invitation,
      c.var.operator,
      c.var.now(),
    )
    return via.via
  } catch (err) {
    console.error(
      JSON.stringify({
        level: 'error',
        requestId: c.var.requestId,
        event: 'mail.failed',
        to: invitation.operator.email,
        error: String(err),
      }),
    )
    return 'failed' as const
  }
}
