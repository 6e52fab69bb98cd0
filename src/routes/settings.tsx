import { Hono, type Context } from 'hono'
import { isAllowed, parseAllowlist } from '../auth/ip-allowlist.js'
import { countAllSessions, invalidateAllSessions } from '../auth/session.js'
import { appendAuditEntry } from '../db/audit-log.js'
import { getGlobalAllowlist, invalidateSettingsCache, setGlobalAllowlist } from '../db/settings.js'
import { Button } from '../views/layout.js'
import { Layout } from '../views/layout.js'
import { AllowlistForm } from '../views/security.js'
import type { AppEnv } from '../web/env.js'
import { setFlash, takeFlash } from '../web/flash.js'
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
  const [entries, sessions, flash] = await Promise.all([
    getGlobalAllowlist(c.var.db),
    countAllSessions(c.var.db, sessionPolicy(c), c.var.now()),
    takeFlash(c),
  ])
  return c.html(
    <Layout title="Security settings" admin={c.var.admin} active="/settings/security" flash={flash}>
      <h1 class="m-0 mb-4 text-2xl font-semibold">Security settings</h1>
      <section
        aria-labelledby="global-allowlist-title"
        class="mb-6 rounded border border-slate-200 bg-white p-5"
      >
        <h2 id="global-allowlist-title" class="m-0 mb-3 text-base font-semibold">
          Global IP allowlist
        </h2>
        <p class="m-0 mb-3 text-sm text-slate-600">
          Checked before anything else on every page, sign-in included. Health probes and static
          files stay open.
        </p>
        <AllowlistForm
          action="/settings/security"
          label="Addresses allowed to reach Fleetdeck"
          entries={text === undefined ? entries : text.split(/[\s,]+/).filter(Boolean)}
          error={error}
          yourIp={clientIp(c)}
          hint="One address or CIDR range per line; empty means any address."
        />
      </section>
      <section
        aria-labelledby="everyone-title"
        class="mb-6 rounded border border-red-300 bg-red-50 p-5"
      >
        <h2 id="everyone-title" class="m-0 mb-2 text-base font-semibold text-red-900">
          Sign everyone out
        </h2>
        <p class="m-0 mb-3 text-sm text-red-900">
          Ends <strong id="session-count">{sessions}</strong> session{sessions === 1 ? '' : 's'} of
          every super admin at once, yours included. Use it when a laptop is lost or a secret may
          have leaked; everyone signs in again with password and TOTP.
        </p>
        <form method="post" action="/settings/security/sessions">
          <input type="hidden" name="_method" value="DELETE" />
          <Button kind="danger">Sign everyone out ({sessions})</Button>
        </form>
      </section>
    </Layout>,
    error ? 422 : 200,
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
      await setGlobalAllowlist(trx, parsed.entries, c.var.admin.id, c.var.now())
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
    invalidateSettingsCache()
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
