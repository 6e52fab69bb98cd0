import { Hono, type Context } from 'hono'
import { z } from 'zod'
import {
  findMembership,
  findMembershipByEmail,
  listTenantMembersByEmail,
} from '../db/memberships.js'
import { findTenantBySlug } from '../db/tenants.js'
import { addMemberFromApp } from '../people/memberships.js'
import { auditContext } from '../web/request.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'
import { checked, emailField, memberView, readJson, revalidatableJson } from './http.js'

const memberQuery = z.object({ email: emailField.optional() })

const newMemberBody = z.object({
  email: emailField,
  name: z
    .string({ error: 'Give a name.' })
    .trim()
    .min(1, { error: 'Give a name.' })
    .max(200, { error: 'Use at most 200 characters.' })
    .regex(/^\P{Cc}*$/u, { error: 'Use no control characters.' }),
  role: z.enum(['member', 'admin'], { error: 'Choose member or admin.' }),
  actorEmail: emailField,
})

/** The kit lists at most this many members in one answer (PROTOCOL.md). */
export const MEMBER_LIST_LIMIT = 500

/**
 * Mounted at `/kit/v1/tenants/:slug/members` (PROTOCOL.md "Members"). "No such user" and "not a
 * member of this tenant" are one answer, `not_a_member`: an app key cannot probe for emails.
 */
export const kitMemberRoutes = new Hono<KitEnv>()

const notAMember = () =>
  new KitRefusal(404, 'not_a_member', 'This user is not a member of this tenant.')

async function tenantOr404(c: Context<KitEnv>) {
  const tenant = await findTenantBySlug(c.var.db, c.req.param('slug') ?? '')
  if (!tenant) throw new KitRefusal(404, 'tenant_not_found', 'There is no tenant with this slug.')
  return tenant
}

kitMemberRoutes.get('/', async (c) => {
  const { email } = checked(memberQuery, c.req.query())
  const tenant = await tenantOr404(c)
  if (email) {
    const member = await findMembershipByEmail(c.var.db, email, tenant.id)
    if (!member) throw notAMember()
    return revalidatableJson(c, { member: memberView(member) })
  }
  const { items, total } = await listTenantMembersByEmail(c.var.db, tenant.id, MEMBER_LIST_LIMIT)
  return c.json({ members: items.map(memberView), total })
})

kitMemberRoutes.get('/:userId', async (c) => {
  const tenant = await tenantOr404(c)
  const member = await findMembership(c.var.db, c.req.param('userId'), tenant.id)
  if (!member) throw notAMember()
  return revalidatableJson(c, { member: memberView(member) })
})

const REFUSALS = {
  tenant_not_found: [404, 'There is no tenant with this slug.'],
  tenant_unavailable: [403, 'The tenant is not active: it takes no new members.'],
  not_allowed: [403, 'actorEmail is not an active owner or admin of this tenant.'],
  already_member: [409, 'This user is already a member of this tenant.'],
  quota_exceeded: [422, 'The plan’s member quota is reached.'],
} as const

kitMemberRoutes.post('/', async (c) => {
  const body = await readJson(c, newMemberBody)
  const result = await addMemberFromApp(
    c.var.db,
    auditContext(c),
    { ...body, slug: c.req.param('slug') ?? '', via: c.var.appKey.name },
    c.var.now(),
  )
  if (!result.ok) {
    const [status, title] = REFUSALS[result.reason]
    const extra =
      result.reason === 'quota_exceeded'
        ? { quota: 'members', limit: result.limit, current: result.current }
        : {}
    throw new KitRefusal(status, result.reason, title, extra)
  }
  return c.json({ member: memberView(result.membership) }, 201)
})
