import { Hono, type Context } from 'hono'
import { countAllSessions } from '../auth/session.js'
import { listAppKeys } from '../db/app-keys.js'
import { getThresholdOverrides } from '../db/health-thresholds.js'
import { findMailRelay } from '../db/mail-relay.js'
import { getGlobalAllowlist } from '../db/settings.js'
import { listPlans } from '../db/plans.js'
import { findActiveSigningKey } from '../db/signing-keys.js'
import { getSignupSettings } from '../db/signup-settings.js'
import { findMaskedLicenceKey } from '../operators/licence-key.js'
import { setGlobalIpAllowlist, signEveryoneOut } from '../operators/settings.js'
import { signupOffer } from '../tenancy/self-service-signup.js'
import { formatAge } from '../views/format.js'
import { SecuritySettingsPage } from '../views/settings/security-settings-page.js'
import {
  SettingsIndexPage,
  type SettingsSectionLine,
} from '../views/settings/settings-index-page.js'
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

/**
 * Cluster settings (owners): the index of every section, and security — the global IP allowlist
 * and "sign everyone out". The other sections are sub-apps under /settings/… (src/app.tsx).
 */
export const settingsRoutes = new Hono<AppEnv>()

const edit = requirePermission('saas.settings.edit')

settingsRoutes.get('/', edit, async (c) => {
  const sections = await settingsSections(c)
  return c.render(<SettingsIndexPage sections={sections} />, { title: 'Settings' })
})

/** Each section of /settings with its state now, read from its own rows (no section's page). */
async function settingsSections(c: Context<AppEnv>): Promise<SettingsSectionLine[]> {
  const { db, deps } = c.var
  const now = c.var.now()
  const [relay, licence, signingKey, allowlist, appKeys, signup, plans, thresholds] =
    await Promise.all([
      findMailRelay(db),
      findMaskedLicenceKey(db, deps.config),
      findActiveSigningKey(db),
      getGlobalAllowlist(db),
      listAppKeys(db),
      getSignupSettings(db),
      listPlans(db),
      getThresholdOverrides(db),
    ])
  const activeAppKeys = appKeys.filter((k) => !k.revokedAt).length
  const offer = signupOffer(signup, plans)
  const overridden = Object.keys(thresholds).length
  return [
    {
      href: '/settings/signup',
      title: 'Signup and default plan',
      holds:
        'Whether tenant apps offer public signup, and the plan a self-service signup starts on.',
      state: !offer.publicSignup
        ? 'Public signup: off'
        : offer.plan
          ? `Public signup: on, new workspaces start on ${offer.plan.name}`
          : 'Public signup: on, but no plan can take new tenants',
    },
    {
      href: '/settings/mail',
      title: 'Mail relay',
      holds: 'The SMTP relay every mail Fleetdeck sends goes through, and a test email.',
      state: relay
        ? `Relay: ${relay.host}:${relay.port}`
        : deps.config.smtpUrl
          ? 'Relay: none saved, mail goes through SMTP_URL'
          : 'Relay: none saved, mail stays in the development outbox',
    },
    {
      href: '/settings/licence',
      title: 'Licence key',
      holds: 'The key your licence was issued with, kept encrypted for the licence server.',
      state: licence ? `Licence: …${licence.lastFour}` : 'Licence: none recorded',
    },
    {
      href: '/settings/keys',
      title: 'Key rotation',
      holds: 'Rotate the tenant signing key and the super-admin secret, seeing first what ends.',
      state: signingKey
        ? `Signing key: created ${formatAge(signingKey.createdAt, now)}`
        : 'Signing key: none yet (the first View as creates it)',
    },
    {
      href: '/settings/thresholds',
      title: 'Health thresholds',
      holds: 'When each metric on System health turns warning or critical.',
      state:
        overridden === 0
          ? 'Thresholds: the defaults'
          : `Thresholds: ${overridden} metric${overridden === 1 ? '' : 's'} changed from the defaults`,
    },
    {
      href: '/settings/security',
      title: 'Security',
      holds: 'The global IP allowlist, and signing every super admin out.',
      state:
        allowlist.length === 0
          ? 'IP allowlist: any address'
          : `IP allowlist: ${allowlist.length} entr${allowlist.length === 1 ? 'y' : 'ies'}`,
    },
    {
      href: '/settings/app-keys',
      title: 'App keys',
      holds: 'The tenant apps connected to the kit API.',
      state: `App keys: ${activeAppKeys} active`,
    },
  ]
}

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
