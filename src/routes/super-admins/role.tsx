import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { changeOperatorRole } from '../../operators/lifecycle.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'
import {
  CHOOSE_ROLE,
  LAST_OWNER,
  manage,
  renderSuperAdminPage,
  roleField,
  stepUp,
  superAdminOr404,
} from './shared.js'

const roleForm = z.object({ role: roleField })

/** Mounted at `/super-admins/:id`: the admin's role is the one field its edit form changes. */
export const roleRoutes = new Hono<AppEnv>()

roleRoutes.post('/', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const raw = await formFields(c)
  const parsed = roleForm.safeParse(raw)
  if (!parsed.success) {
    return renderSuperAdminPage(c, target, { roleValue: raw.role, roleError: CHOOSE_ROLE }, 422)
  }
  const { role } = parsed.data
  const result = await changeOperatorRole(c.var.db, auditContext(c), target.id, role, c.var.now())
  if (!result.ok && result.reason === 'not_found') {
    throw new HTTPException(404, { message: 'No such super admin.' })
  }
  if (!result.ok)
    return renderSuperAdminPage(c, target, { roleValue: role, roleError: LAST_OWNER }, 422)
  const unchanged = result.before === role
  await setFlash(c, {
    kind: 'success',
    text: unchanged
      ? `${target.email} already has the role ${role}.`
      : `${target.email} is now ${role}.`,
  })
  // Owners who gave up their own ownership can no longer open this page.
  const self = target.id === c.var.operator.id && role !== 'owner'
  return redirectTo(c, self ? '/tenants' : `/super-admins/${target.id}`)
})
