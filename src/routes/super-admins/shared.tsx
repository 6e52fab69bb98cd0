import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { approvalFieldFor } from '../approvals-gate.js'
import { listActiveSessions } from '../../auth/session.js'
import { OPERATOR_ROLES } from '../../db/schema.js'
import { listSignInAttempts } from '../../db/sign-in-attempts.js'
import { findSuperAdminById, type SuperAdmin } from '../../db/super-admins.js'
import {
  SuperAdminPage,
  type SuperAdminPageProps,
} from '../../views/super-admins/super-admin-page.js'
import type { AppEnv } from '../../web/env.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'

// What the super-admin routes share: the guards, the role field, the admin of `:id`, and the
// admin's page that every nested resource re-renders on a 422.

// Every route names its permission; owners only (src/auth/permissions.ts). Changes also need a
// TOTP check from the last 10 minutes (issue #3 step-up), asked after the permission.
export const manage = requirePermission('saas.super_admins.manage')
export const stepUp = requireRecentTotp

export const CHOOSE_ROLE = 'Choose one of the roles.'
export const roleField = z.enum(OPERATOR_ROLES, { error: CHOOSE_ROLE })
export const LAST_OWNER = 'This is the last active owner: make another admin an owner first.'

const adminIdParam = z.uuid()

/** The admin of `:id` or 404; the permission was checked before the lookup. */
export async function superAdminOr404(c: Context<AppEnv>): Promise<SuperAdmin> {
  const id = adminIdParam.safeParse(c.req.param('id'))
  const found = id.success ? await findSuperAdminById(c.var.db, id.data) : undefined
  if (!found) throw new HTTPException(404, { message: 'No such super admin.' })
  return found
}

export function sessionPolicy(c: Context<AppEnv>) {
  const { config } = c.var.deps
  return { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds }
}

/** One admin's page; `extra` carries a refused form's value and message (then status 422). */
export async function renderSuperAdminPage(
  c: Context<AppEnv>,
  target: SuperAdmin,
  extra: Partial<SuperAdminPageProps> = {},
  status: 200 | 422 = 200,
) {
  const db = c.var.db
  const [sessions, attempts, inviter] = await Promise.all([
    listActiveSessions(db, target.id, sessionPolicy(c), c.var.now()),
    listSignInAttempts(db, target.id, 50),
    target.createdBy ? findSuperAdminById(db, target.createdBy) : undefined,
  ])
  const props: SuperAdminPageProps = {
    viewer: c.var.operator,
    target,
    sessions,
    attempts,
    now: c.var.now(),
    currentSessionId: c.var.session.id,
    invitedBy: inviter && { id: inviter.id, email: inviter.email },
    totpResetApproval: await approvalFieldFor(c, 'operator.totp_reset'), // issue 14: dual control
    ...extra,
  }
  c.status(status)
  return c.render(<SuperAdminPage {...props} />, { title: target.name })
}
