import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { listActiveSessions } from '../../auth/session.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { endOperatorSessions } from '../../operators/lifecycle.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { auditContext, redirectTo } from '../../web/request.js'
import { manage, sessionPolicy, stepUp, superAdminOr404 } from './shared.js'

/** Mounted at `/super-admins/:id/sessions`: end one of the admin's sessions, or all of them. */
export const sessionRoutes = new Hono<AppEnv>()

sessionRoutes.delete('/:sessionId', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const sessions = await listActiveSessions(c.var.db, target.id, sessionPolicy(c), c.var.now())
  const session = sessions.find((s) => s.id === c.req.param('sessionId'))
  if (!session) throw new HTTPException(404, { message: 'No such session; it may have ended.' })
  return endSessions(c, target, session.id)
})

sessionRoutes.delete('/', manage, stepUp, async (c) =>
  endSessions(c, await superAdminOr404(c), undefined),
)

async function endSessions(c: Context<AppEnv>, target: SuperAdmin, sessionId: string | undefined) {
  const { ended } = await endOperatorSessions(
    c.var.db,
    auditContext(c),
    target.id,
    sessionId,
    c.var.now(),
  )
  await setFlash(c, {
    kind: 'success',
    text:
      ended === 0
        ? `${target.email} had no sessions.`
        : `Ended ${ended} session${ended === 1 ? '' : 's'} of ${target.email}.`,
  })
  return redirectTo(c, `/super-admins/${target.id}`)
}
