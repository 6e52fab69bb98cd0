import { Hono } from 'hono'
import { z } from 'zod'
import {
  recordImpersonatedAction,
  recordTenantAuditEntry,
} from '../tenancy/tenant-audit-entries.js'
import { auditContext } from '../web/request.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'
import { checked, emailField, readJson } from './http.js'

// A tenant app writes into its tenant's own audit log (PROTOCOL.md "Tenant audit entries").

/**
 * Details that mark an entry as support's (tenant-audit-entries.ts writes them itself), and the
 * outbox's deliveryId: an entry posing as a delivery would make the real one look delivered.
 */
const SUPPORT_KEYS = ['impersonatedUser', 'impersonationId', 'via', 'deliveryId']

const entryBody = z
  .object({
    action: z
      .string({ error: 'Give the action, e.g. board.deleted.' })
      .regex(/^[a-z][a-z0-9_.-]{0,79}$/, { error: 'Use lowercase letters, digits, . _ -.' }),
    details: z.record(z.string(), z.unknown()).optional(),
    actorEmail: emailField.optional(),
    impersonationId: z.uuid({ error: 'Give the impersonation’s id.' }).optional(),
  })
  .refine((b) => b.actorEmail || b.impersonationId, {
    path: ['actorEmail'],
    error: 'Give the acting user’s email (or the impersonation id).',
  })
  // Support entries come from Fleetdeck's own rows only: an app cannot write one that looks real.
  .refine((b) => b.impersonationId || !b.action.startsWith('support.'), {
    path: ['action'],
    error: 'Actions starting with support. are written by Fleetdeck only.',
  })
  .refine((b) => b.impersonationId || !SUPPORT_KEYS.some((k) => k in (b.details ?? {})), {
    path: ['details'],
    error: 'impersonatedUser, impersonationId, via and deliveryId are written by Fleetdeck only.',
  })
  // A tenant's log is read by people: a few kilobytes of details is plenty.
  .refine((b) => JSON.stringify(b.details ?? {}).length <= 8192, {
    path: ['details'],
    error: 'Keep details under 8 KB.',
  })

const slugParam = z.string().regex(/^[a-z][a-z0-9-]{1,38}$/)

/** Mounted at `/kit/v1/tenants/:slug/audit-entries`. */
export const kitAuditEntryRoutes = new Hono<KitEnv>()

kitAuditEntryRoutes.post('/', async (c) => {
  const slug = c.req.param('slug') ?? ''
  if (!slugParam.safeParse(slug).success) throw tenantNotFound()
  const body = checked(entryBody, await readJson(c, z.unknown()))
  const write = {
    appKeyId: c.var.appKey.id,
    slug,
    action: body.action,
    details: body.details ?? {},
  }
  if (!body.impersonationId) {
    const result = await recordTenantAuditEntry(c.var.db, {
      ...write,
      actorEmail: body.actorEmail!,
    })
    if (!result.ok) throw tenantNotFound()
    return c.json({ entry: { id: result.entryId } }, 201)
  }
  const result = await recordImpersonatedAction(
    c.var.db,
    auditContext(c),
    { ...write, impersonationId: body.impersonationId },
    c.var.now(),
  )
  // Committed, but its delivery into the tenant's log failed: the sweep retries it.
  if (result.ok && result.entryId === null)
    return c.json({ entry: { id: null, queued: true } }, 202)
  if (result.ok) return c.json({ entry: { id: result.entryId } }, 201)
  if (result.reason === 'read_only') {
    throw new KitRefusal(409, 'read_only', 'A read-only impersonation cannot write.')
  }
  if (result.reason === 'impersonation_inactive') {
    throw new KitRefusal(409, 'impersonation_inactive', 'The impersonation is no longer active.')
  }
  throw new KitRefusal(404, 'impersonation_not_found', 'No such impersonation.')
})

function tenantNotFound() {
  return new KitRefusal(404, 'tenant_not_found', 'No such tenant.')
}
