import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { isAllowed, parseAllowlist } from '../auth/ip-allowlist.js'
import { invalidateSession, listActiveSessions } from '../auth/session.js'
import { appendAuditEntry } from '../db/audit-log.js'
import { listSignInAttempts } from '../db/sign-in-attempts.js'
import { AccountPage } from '../views/account/account-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requireRecentTotp } from '../web/guards.js'
import { auditContext, clientIp, formFields, redirectTo } from '../web/request.js'
import type { Context } from 'hono'

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
  await c.var.db.transaction().execute(async (trx) => {
    await invalidateSession(trx, sessionId)
    await appendAuditEntry(
      trx,
      auditContext(c),
      { action: 'auth.session.end', targetType: 'session', targetId: sessionId.slice(0, 8) },
      c.var.now(),
    )
  })
  await setFlash(c, { kind: 'success', text: 'Session ended.' })
  return redirectTo(c, '/account')
})

accountRoutes.delete('/sessions', requireRecentTotp, async (c) => {
  const ended = await c.var.db.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom('super_admin_sessions')
      .where('super_admin_id', '=', c.var.operator.id)
      .where('id', '!=', c.var.session.id)
      .executeTakeFirst()
    const count = Number(result.numDeletedRows)
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: 'auth.session.end_others',
        targetType: 'super_admin',
        targetId: c.var.operator.id,
        after: { ended: count },
      },
      c.var.now(),
    )
    return count
  })
  await setFlash(c, {
    kind: 'success',
    text: `${ended} other session${ended === 1 ? '' : 's'} ended.`,
  })
  return redirectTo(c, '/account')
})

accountRoutes.post('/allowlist', requireRecentTotp, async (c) => {
  const text = String((await formFields(c)).allowlist ?? '').slice(0, 20_000)
  const parsed = parseAllowlist(text)
  if ('problem' in parsed) return renderAccount(c, parsed.problem, text)
  if (!isAllowed(parsed.entries, clientIp(c))) {
    return renderAccount(
      c,
      `This list does not include your own address (${clientIp(c) ?? 'unknown'}); saving it would shut you out.`,
      text,
    )
  }
  await c.var.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('super_admins')
      .set({ ip_allowlist: parsed.entries })
      .where('id', '=', c.var.operator.id)
      .execute()
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: 'super_admin.allowlist',
        targetType: 'super_admin',
        targetId: c.var.operator.id,
        before: { ipAllowlist: c.var.operator.ipAllowlist },
        after: { ipAllowlist: parsed.entries },
      },
      c.var.now(),
    )
  })
  await setFlash(c, { kind: 'success', text: 'Your IP allowlist is saved.' })
  return redirectTo(c, '/account')
})
