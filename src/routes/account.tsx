import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { listActiveSessions } from '../auth/session.js'
import { listSignInAttempts } from '../db/sign-in-attempts.js'
import { endOtherSessions, endOwnSession, setOwnAllowlist } from '../operators/account.js'
import { AccountPage } from '../views/account/account-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requireRecentTotp } from '../web/guards.js'
import { readAllowlistForm } from '../web/allowlist-form.js'
import { auditContext, clientIp, redirectTo } from '../web/request.js'

// The signed-in admin's own account: sessions, personal IP allowlist, sign-in history. Every
// admin may manage their own; no permission beyond a full session is needed.

export const accountRoutes = new Hono<AppEnv>()

function policy(c: Context<AppEnv>) {
  const { config } = c.var.deps
  return { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds }
}

async function renderAccount(c: Context<AppEnv>, allowlistError?: string, allowlistText?: string) {
  const operator = c.var.operator
  const [sessions, history] = await Promise.all([
    listActiveSessions(c.var.db, operator.id, policy(c), c.var.now()),
    listSignInAttempts(c.var.db, operator.id, 20),
  ])
  const allowlist =
    allowlistText === undefined
      ? operator.ipAllowlist
      : allowlistText.split(/[\s,]+/).filter(Boolean)
  if (allowlistError) c.status(422)
  return c.render(
    <AccountPage
      sessions={sessions}
      currentSessionId={c.var.session.id}
      allowlist={allowlist}
      allowlistError={allowlistError}
      yourIp={clientIp(c)}
      history={history}
      now={c.var.now()}
    />,
    { title: 'Your account' },
  )
}

accountRoutes.get('/', (c) => renderAccount(c))

accountRoutes.delete('/sessions/:sessionId', async (c) => {
  const sessionId = c.req.param('sessionId')
  const sessions = await listActiveSessions(c.var.db, c.var.operator.id, policy(c), c.var.now())
  if (!sessions.some((s) => s.id === sessionId))
    throw new HTTPException(404, { message: 'No such session.' })
  await endOwnSession(c.var.db, auditContext(c), sessionId, c.var.now())
  await setFlash(c, { kind: 'success', text: 'Session ended.' })
  return redirectTo(c, '/account')
})

accountRoutes.delete('/sessions', requireRecentTotp, async (c) => {
  const { operator, session } = c.var
  const { ended } = await endOtherSessions(
    c.var.db,
    auditContext(c),
    operator,
    session,
    c.var.now(),
  )
  await setFlash(c, {
    kind: 'success',
    text: `${ended} other session${ended === 1 ? '' : 's'} ended.`,
  })
  return redirectTo(c, '/account')
})

accountRoutes.post('/allowlist', requireRecentTotp, async (c) => {
  const form = await readAllowlistForm(c)
  if ('problem' in form) return renderAccount(c, form.problem, form.text)
  await setOwnAllowlist(c.var.db, auditContext(c), c.var.operator, form.entries, c.var.now())
  await setFlash(c, { kind: 'success', text: 'Your IP allowlist is saved.' })
  return redirectTo(c, '/account')
})
