import { Hono, type Context } from 'hono'
import { isAllowed, parseAllowlist } from '../auth/ip-allowlist.js'
import { countAllSessions, invalidateAllSessions } from '../auth/session.js'
import { appendAuditEntry } from '../db/audit-log.js'
import { getGlobalAllowlist, setGlobalAllowlist } from '../db/settings.js'
import { SecuritySettingsPage } from '../views/settings/security-settings-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { auditContext, clientIp, formFields, redirectTo } from '../web/request.js'
import { clearSessionCookie } from '../web/session-cookie.js'

function sessionPolicy(c: Context<AppEnv>) {
  return {
    idleSeconds: c.var.deps.config.sessionIdleSeconds,
    absoluteSeconds: c.var.deps.config.sessionAbsoluteSeconds,
  }
}

/** Cluster security settings (owners): the global IP allowlist and "sign everyone out". */
export const settingsRoutes = new Hono<AppEnv>()

async function renderSecurity(c: Context<AppEnv>, error?: string, text?: string) {
  const [allowlist, sessions] = await Promise.all([
    getGlobalAllowlist(c.var.db),
    countAllSessions(c.var.db, sessionPolicy(c), c.var.now()),
  ])
  if (error) c.status(422)
  return c.render(
    <SecuritySettingsPage
      allowlist={text === undefined ? allowlist : text.split(/[\s,]+/).filter(Boolean)}
      error={error}
      yourIp={clientIp(c)}
      sessions={sessions}
    />,
    { title: 'Security settings' },
  )
}

settingsRoutes.get('/security', requirePermission('saas.settings.edit'), (c) => renderSecurity(c))

settingsRoutes.post(
  '/security',
  requirePermission('saas.settings.edit'),
  requireRecentTotp,
  async (c) => {
    const text = String((await formFields(c)).allowlist ?? '').slice(0, 20_000)
    const parsed = parseAllowlist(text)
    if ('problem' in parsed) return renderSecurity(c, parsed.problem, text)
    if (!isAllowed(parsed.entries, clientIp(c))) {
      return renderSecurity(
        c,
        `This list does not include your own address (${clientIp(c) ?? 'unknown'}); saving it would shut you out.`,
        text,
      )
    }
    await c.var.db.transaction().execute(async (trx) => {
      const before = await getGlobalAllowlist(trx, { forUpdate: true })
      await setGlobalAllowlist(trx, parsed.entries, c.var.operator.id, c.var.now())
      await appendAuditEntry(
        trx,
        auditContext(c),
        {
          action: 'settings.ip_allowlist',
          targetType: 'settings',
          targetId: 'ip_allowlist',
          before: { ipAllowlist: before },
          after: { ipAllowlist: parsed.entries },
        },
        c.var.now(),
      )
    })
    await setFlash(c, { kind: 'success', text: 'Global IP allowlist saved.' })
    return redirectTo(c, '/settings/security')
  },
)

settingsRoutes.delete(
  '/security/sessions',
  requirePermission('saas.settings.edit'),
  requireRecentTotp,
  async (c) => {
    await c.var.db.transaction().execute(async (trx) => {
      const ended = await invalidateAllSessions(trx)
      await appendAuditEntry(
        trx,
        auditContext(c),
        { action: 'auth.session.end_all', targetType: 'cluster', targetId: null, after: { ended } },
        c.var.now(),
      )
    })
    clearSessionCookie(c)
    return redirectTo(c, '/login')
  },
)
