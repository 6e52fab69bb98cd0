import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { findMembership, listUserMemberships, type Membership } from '../../db/memberships.js'
import { findTenantById } from '../../db/tenants.js'
import { ALL_TENANTS } from '../../db/tenant-scope.js'
import {
  findUserById,
  JOINED_WITHIN,
  listUsers,
  SIGNED_IN_WITHIN,
  type User,
  type UserListItem,
} from '../../db/users.js'
import {
  addMembership,
  changeMembershipRole,
  removeMembership,
  type MembershipChangeRefusal,
} from '../../people/memberships.js'
import { changeUserStatus } from '../../people/users.js'
import type { AppEnv } from '../../web/env.js'
import { auditContext } from '../../web/request.js'
import { requireApiPermission } from './auth.js'
import { BEARER, apiRouter } from './openapi.js'
import { ApiRefusal, problemResponse, problemResponses } from './problems.js'

// /api/v1/users (issue 14 item 1; seed 003): the console's users directory and a user's page as
// JSON, through the same queries and domain verbs as src/routes/users.tsx, so the rules (the last
// owner stays, a deleted tenant's members are frozen) are the console's. Refusals are thrown as
// ApiRefusal and answered by the group's error handler as RFC 9457 problems.

const USER_STATUSES = ['invited', 'active', 'disabled'] as const
const ROLES = ['owner', 'admin', 'member'] as const
const TENANT_STATUSES = ['provisioning', 'active', 'suspended', 'failed', 'deleted'] as const

const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    status: z.enum(USER_STATUSES),
    lastLoginAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('User')

const UserTenantSchema = z
  .object({ tenantId: z.uuid(), slug: z.string(), role: z.enum(ROLES) })
  .openapi('UserTenant')

const UserListItemSchema = UserSchema.extend({
  tenants: z.array(UserTenantSchema).openapi({
    description:
      'Up to three memberships, oldest first; empty when the list is scoped to a tenant.',
  }),
  membershipCount: z.number().int(),
}).openapi('UserListItem')

const UserListSchema = z
  .object({
    data: z.array(UserListItemSchema),
    nextCursor: z
      .uuid()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
    total: z.object({
      count: z.number().int(),
      exact: z
        .boolean()
        .openapi({ description: "False when the count is the planner's estimate." }),
    }),
  })
  .openapi('UserList')

const MembershipSchema = z
  .object({
    tenantId: z.uuid(),
    slug: z.string(),
    tenantName: z.string(),
    tenantStatus: z.enum(TENANT_STATUSES),
    role: z.enum(ROLES),
    since: z.iso.datetime(),
  })
  .openapi('Membership')

const UserDetailSchema = UserSchema.extend({ memberships: z.array(MembershipSchema) }).openapi(
  'UserDetail',
)

const listQuery = z.object({
  q: z.string().trim().max(100).optional().openapi({ description: 'Part of the email or name.' }),
  status: z.enum(USER_STATUSES).optional(),
  role: z.enum(ROLES).optional().openapi({ description: 'Has a membership with this role.' }),
  signedIn: z
    .enum(SIGNED_IN_WITHIN)
    .optional()
    .openapi({ description: 'Signed in within 7, 30 or 90 days, or never.' }),
  joined: z.enum(JOINED_WITHIN).optional().openapi({ description: 'Joined today, 7 or 30 days.' }),
  tenantId: z.uuid().optional().openapi({ description: 'Only members of this tenant.' }),
  cursor: z.uuid().optional().openapi({ description: '`nextCursor` of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})

const userIdParam = z.object({ id: z.string().openapi({ format: 'uuid' }) })
const membershipParams = z.object({
  id: z.string().openapi({ format: 'uuid' }),
  tenantId: z.string().openapi({ format: 'uuid' }),
})
const statusBody = z.strictObject({
  status: z.enum(['active', 'disabled'], { error: 'Choose active or disabled.' }),
})
const roleBody = z.strictObject({
  role: z.enum(ROLES, { error: 'Choose owner, admin or member.' }),
})

const view = requireApiPermission('saas.users.view')
const edit = requireApiPermission('saas.users.edit')
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})
const NOT_FOUND = { 404: problemResponse('No such user (or membership)') }
const CONFLICT = { 409: problemResponse('Refused by a rule: last owner, deleted tenant') }
const INVALID = { 400: problemResponse('Malformed JSON'), 422: problemResponse('Invalid fields') }

export const userApiRoutes = apiRouter()

userApiRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/',
    operationId: 'listUsers',
    summary: 'List and search users (keyset paging, newest first)',
    tags: ['users'],
    security: BEARER,
    middleware: [view] as const,
    request: { query: listQuery },
    responses: {
      200: json(UserListSchema, 'One page of users'),
      ...problemResponses,
      422: problemResponse('Invalid filter'),
    },
  }),
  async (c) => {
    const query = c.req.valid('query')
    const page = await listUsers(
      c.var.db,
      query.tenantId ? { tenantId: query.tenantId } : ALL_TENANTS,
      {
        q: query.q,
        status: query.status,
        role: query.role,
        signedInWithin: query.signedIn,
        joined: query.joined,
        after: query.cursor,
        limit: query.limit,
        now: c.var.now(),
      },
    )
    return c.json(
      {
        data: page.items.map(listItemJson),
        nextCursor: page.nextAfter ?? null,
        total: page.total,
      },
      200,
    )
  },
)

userApiRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/{id}',
    operationId: 'getUser',
    summary: 'One user with every membership',
    tags: ['users'],
    security: BEARER,
    middleware: [view] as const,
    request: { params: userIdParam },
    responses: {
      200: json(UserDetailSchema, 'The user'),
      ...problemResponses,
      ...NOT_FOUND,
    },
  }),
  async (c) => {
    const user = await userOr404(c, c.req.valid('param').id)
    return c.json(await detailJson(c, user), 200)
  },
)

userApiRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/{id}',
    operationId: 'updateUser',
    summary: 'Disable or enable a user',
    description:
      'Disabling keeps every membership; no tenant lets the user sign in. Enabling gives `active`. ' +
      'Asking for the status the user already has changes nothing and writes no audit entry.',
    tags: ['users'],
    security: BEARER,
    middleware: [edit] as const,
    request: { params: userIdParam, body: body(statusBody) },
    responses: {
      200: json(UserDetailSchema, 'The user after the change'),
      ...problemResponses,
      ...NOT_FOUND,
      ...CONFLICT,
      ...INVALID,
    },
  }),
  async (c) => {
    const user = await userOr404(c, c.req.valid('param').id)
    const { status } = c.req.valid('json')
    if (user.status === status) return c.json(await detailJson(c, user), 200)
    const change = status === 'disabled' ? 'disable' : 'enable'
    const result = await changeUserStatus(c.var.db, auditContext(c), user.id, change, c.var.now())
    if (!result.ok && result.reason === 'not_found') throw userNotFound()
    if (!result.ok) {
      throw new ApiRefusal(
        409,
        'conflict',
        `${user.email} is ${user.status}: it cannot become ${status}.`,
      )
    }
    return c.json(await detailJson(c, result.user), 200)
  },
)

userApiRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/{id}/memberships/{tenantId}',
    operationId: 'putUserMembership',
    summary: 'Add the user to a tenant, or change their role there',
    tags: ['users'],
    security: BEARER,
    middleware: [edit] as const,
    request: { params: membershipParams, body: body(roleBody) },
    responses: {
      200: json(MembershipSchema, 'The role was changed (or already was this one)'),
      201: json(MembershipSchema, 'The user was added to the tenant'),
      ...problemResponses,
      ...NOT_FOUND,
      ...CONFLICT,
      ...INVALID,
    },
  }),
  async (c) => {
    const { id, tenantId } = c.req.valid('param')
    const { role } = c.req.valid('json')
    const user = await userOr404(c, id)
    const tenant = await findTenantById(c.var.db, tenantId)
    if (!tenant) throw new ApiRefusal(404, 'not_found', 'No such tenant.')
    const ctx = auditContext(c)
    const now = c.var.now()
    if (!(await findMembership(c.var.db, user.id, tenant.id))) {
      const added = await addMembership(
        c.var.db,
        ctx,
        { userId: user.id, slug: tenant.slug, role },
        now,
      )
      if (added.ok) return c.json(membershipJson(added.membership), 201)
      if (added.reason === 'user_not_found') throw userNotFound()
      if (added.reason === 'unknown_tenant')
        throw new ApiRefusal(404, 'not_found', 'No such tenant.')
      if (added.reason === 'tenant_deleted') throw refusal('tenant_deleted', tenant.slug, user)
      // already_member: another call added them meanwhile; change the role instead.
    }
    const key = { userId: user.id, tenantId: tenant.id }
    const changed = await changeMembershipRole(c.var.db, ctx, key, role, now)
    if (!changed.ok) throw refusal(changed.reason, tenant.slug, user)
    return c.json(membershipJson(changed.membership), 200)
  },
)

userApiRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}/memberships/{tenantId}',
    operationId: 'deleteUserMembership',
    summary: 'Remove the user from a tenant',
    tags: ['users'],
    security: BEARER,
    middleware: [edit] as const,
    request: { params: membershipParams },
    responses: {
      204: { description: 'Removed' },
      ...problemResponses,
      ...NOT_FOUND,
      ...CONFLICT,
    },
  }),
  async (c) => {
    const { id, tenantId } = c.req.valid('param')
    const user = await userOr404(c, id)
    const key = { userId: user.id, tenantId }
    const membership = await findMembership(c.var.db, user.id, tenantId)
    if (!membership) throw membershipNotFound()
    const result = await removeMembership(c.var.db, auditContext(c), key, c.var.now())
    if (!result.ok) throw refusal(result.reason, membership.slug, user)
    return c.body(null, 204)
  },
)

async function userOr404(c: Context<AppEnv>, id: string): Promise<User> {
  const user = await findUserById(c.var.db, id)
  if (!user) throw userNotFound()
  return user
}

function userNotFound() {
  return new ApiRefusal(404, 'not_found', 'No such user.')
}

function membershipNotFound() {
  return new ApiRefusal(404, 'not_found', 'No such membership.')
}

/** The console's messages for a refused membership change: 404, or 409 for a rule. */
function refusal(reason: MembershipChangeRefusal, slug: string, user: User) {
  if (reason === 'not_found') return membershipNotFound()
  if (reason === 'tenant_deleted') {
    return new ApiRefusal(
      409,
      'tenant_deleted',
      `${slug} is deleted: its members stay as they were until it is restored or purged.`,
    )
  }
  return new ApiRefusal(
    409,
    'last_owner',
    `${user.email} is the last owner of ${slug}: make another member an owner first.`,
  )
}

function userJson(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    status: user.status,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  }
}

function listItemJson(item: UserListItem) {
  return { ...userJson(item), tenants: item.tenants, membershipCount: item.membershipCount }
}

function membershipJson(m: Membership) {
  return {
    tenantId: m.tenantId,
    slug: m.slug,
    tenantName: m.tenantName,
    tenantStatus: m.tenantStatus,
    role: m.role,
    since: m.since.toISOString(),
  }
}

async function detailJson(c: Context<AppEnv>, user: User) {
  const memberships = await listUserMemberships(c.var.db, user.id)
  return { ...userJson(user), memberships: memberships.map(membershipJson) }
}
