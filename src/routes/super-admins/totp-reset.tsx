import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { resetOperatorTotp } from '../../operators/lifecycle.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { auditContext, redirectTo } from '../../web/request.js'
import { requestInsteadOfActing, totpResetApproval } from '../approvals-gate.js'
import { manage, renderSuperAdminPage, stepUp, superAdminOr404 } from './shared.js'

/** Mounted at `/super-admins/:id/totp`: DELETE forgets the admin's authenticator. */
export const totpResetRoutes = new Hono<AppEnv>()

totpResetRoutes.delete('/', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  // --- issue 14: dual control — a request instead of the reset while the policy says so ---
  if (target.id !== c.var.operator.id) {
    const back = `/super-admins/${target.id}`
    const gated = await requestInsteadOfActing(c, totpResetApproval(target), back, (f) =>
      renderSuperAdminPage(c, target, { totpResetApproval: f }, 422),
    )
    if (gated) return gated
  }
  // --- end dual control ---
  const result = await resetOperatorTotp(c.var.db, auditContext(c), target.id, c.var.now())
  if (!result.ok && result.reason === 'own_totp') {
    throw new HTTPException(403, {
      message: 'You cannot reset your own TOTP: another super admin must do it.',
    })
  }
  if (!result.ok) {
    throw new HTTPException(409, {
      message: `${target.email} has no enrolled authenticator to reset.`,
    })
  }
  await setFlash(c, {
    kind: 'success',
    text: `TOTP of ${target.email} reset and their sessions ended. They enrol a new authenticator at their next sign-in.`,
  })
  return redirectTo(c, `/super-admins/${target.id}`)
})
