import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { deactivateOperator, reactivateOperator } from '../../operators/lifecycle.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { auditContext, redirectTo } from '../../web/request.js'
import { LAST_OWNER, manage, renderSuperAdminPage, stepUp, superAdminOr404 } from './shared.js'

/**
 * Mounted at `/super-admins/:id/deactivation`: POST deactivates (sessions and unused links end
 * with it), DELETE removes the deactivation.
 */
export const activationRoutes = new Hono<AppEnv>()

activationRoutes.post('/', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const result = await deactivateOperator(c.var.db, auditContext(c), target.id, c.var.now())
  if (!result.ok && result.reason === 'last_owner') {
    return renderSuperAdminPage(c, target, { activationError: LAST_OWNER }, 422)
  }
  if (!result.ok) refuseUnchanged(result.reason, `${target.email} is already deactivated.`)
  await setFlash(c, {
    kind: 'success',
    text: `${target.email} is deactivated; their sessions have ended.`,
  })
  return redirectTo(c, `/super-admins/${target.id}`)
})

activationRoutes.delete('/', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const result = await reactivateOperator(c.var.db, auditContext(c), target.id, c.var.now())
  if (!result.ok) refuseUnchanged(result.reason, `${target.email} is already active.`)
  await setFlash(c, { kind: 'success', text: `${target.email} is active again.` })
  return redirectTo(c, `/super-admins/${target.id}`)
})

/** 404 when the admin vanished meanwhile, 409 when there was nothing to change. */
function refuseUnchanged(reason: 'not_found' | 'unchanged' | 'last_owner', message: string): never {
  if (reason === 'not_found') throw new HTTPException(404, { message: 'No such super admin.' })
  throw new HTTPException(409, { message })
}
