import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { setOperatorSsoOnly } from '../../auth/sso-only.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'
import { manage, renderSuperAdminPage, stepUp, superAdminOr404 } from './shared.js'

/** An unchecked checkbox sends nothing; a checked one sends `on`. */
const ssoOnlyForm = z.object({ sso_only: z.literal('on').optional() })
const NO_PROVIDER =
  'No identity provider is configured (SSO_PROVIDERS): this operator could not sign in at all.'

/** Mounted at `/super-admins/:id/sso-only`: whether the admin may sign in through SSO only. */
export const ssoOnlyRoutes = new Hono<AppEnv>()

ssoOnlyRoutes.post('/', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const form = ssoOnlyForm.safeParse(await formFields(c))
  if (!form.success) throw new HTTPException(400, { message: 'Malformed form.' })
  const ssoOnly = form.data.sso_only === 'on'
  const result = await setOperatorSsoOnly(
    c.var.db,
    auditContext(c),
    target.id,
    ssoOnly,
    c.var.deps.config.ssoProviders.length,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'not_found')
    throw new HTTPException(404, { message: 'No such super admin.' })
  if (!result.ok) return renderSuperAdminPage(c, target, { ssoOnlyError: NO_PROVIDER }, 422)
  const text =
    result.before === ssoOnly
      ? `Nothing changed: ${target.email} ${ssoOnly ? 'already signs in through SSO only' : 'may already use a password'}.`
      : ssoOnly
        ? `${target.email} now signs in through SSO only; a password is refused.`
        : `${target.email} may sign in with a password again, or through SSO.`
  await setFlash(c, { kind: 'success', text })
  return redirectTo(c, `/super-admins/${target.id}`)
})
