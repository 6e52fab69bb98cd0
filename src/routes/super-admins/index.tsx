import { Hono } from 'hono'
import { listSuperAdmins } from '../../db/super-admins.js'
import { SuperAdminsPage } from '../../views/super-admins/super-admins-page.js'
import type { AppEnv } from '../../web/env.js'
import { activationRoutes } from './activation.js'
import { invitationRoutes } from './invitations.js'
import { outboxRoutes } from './outbox.js'
import { roleRoutes } from './role.js'
import { sessionRoutes } from './sessions.js'
import { manage, superAdminOr404, renderSuperAdminPage } from './shared.js'
import { totpResetRoutes } from './totp-reset.js'

/**
 * Mounted at `/super-admins`: the list and one admin's page here; every change is a nested
 * resource in its own file. `/new` and `/outbox` are mounted before `/:id` so they win.
 */
export const superAdminRoutes = new Hono<AppEnv>()

superAdminRoutes.get('/', manage, async (c) => {
  const items = await listSuperAdmins(c.var.db)
  return c.render(
    <SuperAdminsPage
      items={items}
      currentId={c.var.operator.id}
      smtpConfigured={!!c.var.deps.config.smtpUrl}
    />,
    { title: 'Super admins' },
  )
})

superAdminRoutes.route('/', invitationRoutes)
superAdminRoutes.route('/outbox', outboxRoutes)

superAdminRoutes.get('/:id', manage, async (c) => renderSuperAdminPage(c, await superAdminOr404(c)))

superAdminRoutes.route('/:id', roleRoutes)
superAdminRoutes.route('/:id/deactivation', activationRoutes)
superAdminRoutes.route('/:id/totp', totpResetRoutes)
superAdminRoutes.route('/:id/sessions', sessionRoutes)
