import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { isAllowed, parseAllowlist } from '../auth/ip-allowlist.js'
import { invalidateSession, listActiveSessions } from '../auth/session.js'
import { appendAuditEntry } from '../db/audit-log.js'
import { listSignInAttempts } from '../db/sign-in-attempts.js'
import { Layout } from '../views/layout.js'
import { AllowlistForm, SessionTable, SignInHistory } from '../views/security.js'
import type { AppEnv } from '../web/env.js'
import { setFlash, takeFlash } from '../web/flash.js'
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
  const admin = c.var.admin
  const [sessions, history, flash] = await Promise.all([
    listActiveSessions(c.var.db, admin.id, policy(c), c.var.now()),
    listSignInAttempts(c.var.db, admin.id, 20),
    takeFlash(c),
  ])
  const entries =
    allowlistText === undefined ? admin.ipAllowlist : allowlistText.split(/[\s,]+/).filter(Boolean)
  return c.html(
    <Layout title="Your account" admin={admin} active="/account" flash={flash}>
      <h1 class="m-0 mb-4 text-2xl font-semibold">Your account</h1>
      <section
        aria-labelledby="sessions-title"
        class="mb-6 rounded border border-slate-200 bg-white p-5"
      >
        <h2 id="sessions-title" class="m-0 mb-3 text-base font-semibold">
          Active sessions ({sessions.length})
        </h2>
        <SessionTable
          sessions={sessions}
          currentId={c.var.session.id}
          endAction={(s) => `/account/sessions/${s.id}`}
          now={c.var.now()}
        />
        {sessions.length > 1 && (
          <form method="post" action="/account/sessions" class="mt-3">
            <input type="hidden" name="_method" value="DELETE" />
            <button
              type="submit"
              class="rounded border border-red-400 bg-white px-3 py-1.5 text-sm text-red-800 cursor-pointer"
            >
              End all other sessions
            </button>
          </form>
        )}
      </section>
      <section
        aria-labelledby="allowlist-title"
        class="mb-6 rounded border border-slate-200 bg-white p-5"
      >
        <h2 id="allowlist-title" class="m-0 mb-3 text-base font-semibold">
          Your IP allowlist
        </h2>
        <AllowlistForm
          action="/account/allowlist"
          label="Addresses you may sign in from"
          entries={entries}
          error={allowlistError}
          yourIp={clientIp(c)}
          hint="One address or CIDR range per line; empty means any address (the global allowlist still applies)."
        />
      </section>
      <section
        aria-labelledby="history-title"
        class="mb-6 rounded border border-slate-200 bg-white p-5"
      >
        <h2 id="history-title" class="m-0 mb-3 text-base font-semibold">
          Sign-in history
        </h2>
        <SignInHistory rows={history} />
      </section>
    </Layout>,
    allowlistError ? 422 : 200,
  )
}

accountRoutes.get('/', (c) => renderAccount(c))

accountRoutes.delete('/sessions/:sessionId', async (c) => {
  const sessionId = c.req.param('sessionId')
  const sessions = await listActiveSessions(c.var.db, c.var.admin.id, policy(c), c.var.now())
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
      .where('super_admin_id', '=', c.var.admin.id)
      .where('id', '!=', c.var.session.id)
      .executeTakeFirst()
    const count = Number(result.numDeletedRows)
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: 'auth.session.end_others',
        targetType: 'super_admin',
        targetId: c.var.admin.id,
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
      .where('id', '=', c.var.admin.id)
      .execute()
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: 'super_admin.allowlist',
        targetType: 'super_admin',
        targetId: c.var.admin.id,
        before: { ipAllowlist: c.var.admin.ipAllowlist },
        after: { ipAllowlist: parsed.entries },
      },
      c.var.now(),
    )
  })
  await setFlash(c, { kind: 'success', text: 'Your IP allowlist is saved.' })
  return redirectTo(c, '/account')
})
