import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { findImpersonation, type Impersonation } from '../db/impersonations.js'
import { endImpersonation } from '../tenancy/impersonation-end.js'
import { redeemHandoff, type RedeemRefusal } from '../tenancy/impersonation-handoff.js'
import { auditContext } from '../web/request.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'
import { readJson } from './http.js'

// Impersonation for tenant apps (PROTOCOL.md "Impersonation"): redeem a handoff, re-check an
// impersonation every few seconds, end it from the app's banner. An app key sees only the
// impersonations issued to it; any other answers as if it did not exist.

const redeemBody = z.object({
  // A handoff is a few hundred bytes; anything near this is not one.
  token: z.string({ error: 'Give the handoff token.' }).min(1).max(4096),
})

/** The protocol's view of an impersonation; `secondsLeft` computed here, never by the app. */
export function impersonationView(imp: Impersonation, now: Date) {
  const lapsed = imp.expiresAt <= now
  const status = imp.endedAt
    ? imp.endReason === 'expired'
      ? 'expired'
      : 'ended'
    : lapsed
      ? 'expired'
      : 'active'
  return {
    id: imp.id,
    status,
    mode: imp.mode,
    tenant: { id: imp.tenantId, slug: imp.tenantSlug, name: imp.tenantName },
    user: { id: imp.userId, email: imp.userEmail, name: imp.userName },
    operator: { id: imp.operatorId, email: imp.operatorEmail },
    reason: imp.reason,
    ticket: imp.ticket,
    startedAt: imp.startedAt.toISOString(),
    expiresAt: imp.expiresAt.toISOString(),
    endedAt: imp.endedAt?.toISOString() ?? null,
    endReason: imp.endReason ?? (lapsed ? 'expired' : null),
    secondsLeft:
      status === 'active' ? Math.floor((imp.expiresAt.getTime() - now.getTime()) / 1000) : 0,
  }
}

const REDEEM_REFUSALS: Record<RedeemRefusal, () => KitRefusal> = {
  invalid_token: () => new KitRefusal(400, 'invalid_token', 'The handoff token is not valid.'),
  wrong_audience: () => new KitRefusal(403, 'wrong_audience', 'The handoff is for another app.'),
  not_found: notFound,
  handoff_used: () => new KitRefusal(409, 'handoff_used', 'This handoff was already used.'),
  impersonation_ended: () =>
    new KitRefusal(410, 'impersonation_ended', 'The impersonation has ended.'),
}

function notFound() {
  return new KitRefusal(404, 'impersonation_not_found', 'No such impersonation.')
}

/** The impersonation of `:id` when it was issued to the calling app key; else 404. */
async function ownImpersonation(c: Context<KitEnv>): Promise<Impersonation> {
  const imp = await findImpersonation(c.var.db, c.req.param('id') ?? '')
  if (!imp || imp.appKeyId !== c.var.appKey.id) throw notFound()
  return imp
}

/** Mounted at `/kit/v1/impersonations`. */
export const kitImpersonationRoutes = new Hono<KitEnv>()

kitImpersonationRoutes.post('/redeem', async (c) => {
  const { token } = await readJson(c, redeemBody)
  const now = c.var.now()
  const { config } = c.var.deps
  const result = await redeemHandoff(c.var.db, auditContext(c), config, c.var.appKey, token, now)
  if (!result.ok) throw REDEEM_REFUSALS[result.reason]()
  return c.json({ impersonation: impersonationView(result.impersonation, now) })
})

kitImpersonationRoutes.get('/:id', async (c) => {
  const imp = await ownImpersonation(c)
  return c.json({ impersonation: impersonationView(imp, c.var.now()) })
})

kitImpersonationRoutes.post('/:id/end', async (c) => {
  const imp = await ownImpersonation(c)
  const now = c.var.now()
  const by = { id: imp.operatorId, email: imp.operatorEmail }
  const result = await endImpersonation(
    c.var.db,
    auditContext(c),
    imp.id,
    { by, reason: 'ended_in_app' },
    now,
  )
  if (!result.ok) throw notFound()
  return c.json({ impersonation: impersonationView(result.impersonation, now) })
})
