import { Hono, type Context } from 'hono'
import { countAllSessions } from '../auth/session.js'
import { getGlobalAllowlist } from '../db/settings.js'
import { setGlobalIpAllowlist, signEveryoneOut } from '../operators/settings.js'
import { SecuritySettingsPage } from '../views/settings/security-settings-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { readAllowlistForm } from '../web/allowlist-form.js'
import { auditContext, clientIp, redirectTo } from '../web/request.js'
import { clearSessionCookie } from '../web/session-cookie.js'

function sessionPolicy(c: Context<AppEnv>) {
  return {
    idleSeconds: c.var.deps.config.sessionIdleSeconds,
    absoluteSeconds: c.var.deps.config.sessionAbsoluteSeconds,
  }
}

/** Cluster security settings (owners): the global IP allowlist and "sign everyone out". */
export const settingsRoutes = new Hono<AppEnv>()

const edit = requirePermission('saas.settings.edit')

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

settingsRoutes.get('/security', edit, (c) => renderSecurity(c))

settingsRoutes.post('/security', edit, requireRecentTotp, async (c) => {
  const form = await readAllowlistForm(c)
  if ('problem' in form) return renderSecurity(c, form.problem, form.text)
  const { operator } = c.var
  await setGlobalIpAllowlist(c.var.db, auditContext(c), form.entries, operator.id, c.var.now())
  await setFlash(c, { kind: 'success', text: 'Global IP allowlist saved.' })
  return redirectTo(c, '/settings/security')
})

// Ends the caller's own session too: they sign in again like everyone else.
settingsRoutes.delete('/security/sessions', edit, requireRecentTotp, async (c) => {
  const result = await signEveryoneOut(c.var.db, auditContext(c), c.var.now())
  clearSessionCookie(c)
  const ended = result.ok ? result.ended : 0
  await setFlash(c, {
    kind: 'info',
    text: `Everyone is signed out: ${ended} session${ended === 1 ? '' : 's'} ended, yours included. Sign in again.`,
  })
  return redirectTo(c, '/login')
})
