import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { resetOperatorTotp } from '../../operators/lifecycle.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { auditContext, redirectTo } from '../../web/request.js'
import { manage, stepUp, superAdminOr404 } from './shared.js'

/** Mounted at `/super-admins/:id/totp`: DELETE forgets the admin's authenticator. */
export const totpResetRoutes = new Hono<AppEnv>()

totpResetRoutes.delete('/', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
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
