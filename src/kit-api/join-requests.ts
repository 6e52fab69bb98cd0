import { Hono } from 'hono'
import { z } from 'zod'
import { findTenantBySlug } from '../db/tenants.js'
import { submitJoinRequest } from '../people/join-requests.js'
import { auditContext } from '../web/request.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'
import { emailField, readJson } from './http.js'

const joinRequestBody = z.object({
  tenant: z.string({ error: 'Give the tenant’s slug.' }).min(1).max(100),
  email: emailField,
  name: z
    .string()
    .trim()
    .max(200, { error: 'Use at most 200 characters.' })
    .regex(/^\P{Cc}*$/u, { error: 'Use no control characters.' })
    .optional(),
  message: z.string().max(2000, { error: 'Use at most 2,000 characters.' }).optional(),
})

/** Mounted at `/kit/v1/join-requests`: someone asks to join a tenant (PROTOCOL.md). */
export const kitJoinRequestRoutes = new Hono<KitEnv>()

const REFUSALS = {
  unknown_tenant: [404, 'tenant_not_found', 'There is no tenant with this slug.'],
  tenant_unavailable: [403, 'tenant_unavailable', 'The tenant is not active: it takes no members.'],
  already_member: [409, 'already_member', 'This email is already a member of this tenant.'],
  already_pending: [409, 'already_pending', 'A request from this email is already waiting.'],
} as const

kitJoinRequestRoutes.post('/', async (c) => {
  const body = await readJson(c, joinRequestBody)
  const tenant = await findTenantBySlug(c.var.db, body.tenant)
  const [notFound, code, title] = REFUSALS.unknown_tenant
  if (!tenant) throw new KitRefusal(notFound, code, title)
  const result = await submitJoinRequest(
    c.var.db,
    auditContext(c),
    {
      tenantId: tenant.id,
      email: body.email,
      name: body.name,
      message: body.message ?? '',
      via: c.var.appKey.name,
    },
    c.var.now(),
  )
  if (!result.ok) {
    const [status, code, title] = REFUSALS[result.reason]
    throw new KitRefusal(status, code, title)
  }
  return c.json(
    { outcome: result.autoJoined ? 'joined' : 'pending', joinRequestId: result.request.id },
    201,
  )
})
