import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { countAllSessions } from '../../auth/session.js'
import { SIGNING_KEY_OVERLAP_MS } from '../../auth/signing-keys.js'
import { findCookieSecret } from '../../db/cookie-secret.js'
import { countLiveImpersonations } from '../../db/live-impersonations.js'
import { findActiveSigningKey } from '../../db/signing-keys.js'
import { rotateSuperAdminSecret, rotateTenantSigningKey } from '../../operators/key-rotation.js'
import { KeysPage, type KeysPageProps } from '../../views/settings/keys-page.js'
import {
  approvalFieldFor,
  requestInsteadOfActing,
  SECRET_APPROVAL,
  signingKeyApproval,
} from '../approvals-gate.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'
import { clearSessionCookie } from '../../web/session-cookie.js'

// /settings/keys (issue 10 item 6, seed 002): rotate the tenant signing key and the super-admin
// secret, each page showing first what the rotation ends. Owners, step-up.

const edit = requirePermission('saas.settings.edit')

export const keySettingsRoutes = new Hono<AppEnv>()

function sessionPolicy(c: Context<AppEnv>) {
  const { config } = c.var.deps
  return { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds }
}

keySettingsRoutes.get('/', edit, (c) => renderKeysPage(c))

/** The page; `extra` carries a refused approval request's reason field (then 422). */
async function renderKeysPage(c: Context<AppEnv>, extra: Partial<KeysPageProps> = {}) {
  const { db } = c.var
  const now = c.var.now()
  const [signingKey, live, sessions, cookieSecret, approval] = await Promise.all([
    findActiveSigningKey(db),
    countLiveImpersonations(db, now),
    countAllSessions(db, sessionPolicy(c), now),
    findCookieSecret(db),
    approvalFieldFor(c, 'secrets.rotate'), // issue 14: dual control
  ])
  const page = (
    <KeysPage
      signingKey={signingKey}
      live={live}
      overlapMinutes={SIGNING_KEY_OVERLAP_MS / 60_000}
      sessions={sessions}
      cookieSecretCreatedAt={cookieSecret ? new Date(cookieSecret.createdAt) : undefined}
      now={now}
      signingKeyApproval={approval}
      secretApproval={approval}
      {...extra}
    />
  )
  if (Object.keys(extra).length > 0) c.status(422)
  return c.render(page, { title: 'Key rotation' })
}

// The form names the key it showed (`kid`, empty when there was none): a second submission, or
// another owner's rotation in between, finds another key and changes nothing.
keySettingsRoutes.post('/signing-key', edit, requireRecentTotp, async (c) => {
  const shown = await formFields(c)
  if (shown.kid === undefined) {
    throw new HTTPException(400, { message: 'Malformed rotation request; nothing was changed.' })
  }
  const { deps } = c.var
  const expectedKid = shown.kid || null
  const now = c.var.now()
  // --- issue 14: dual control — a request instead of the rotation while the policy says so ---
  const gated = await requestInsteadOfActing(
    c,
    signingKeyApproval(expectedKid),
    '/settings/keys',
    (f) => renderKeysPage(c, { signingKeyApproval: f }),
  )
  if (gated) return gated
  // --- end dual control ---
  const result = await rotateTenantSigningKey(
    c.var.db,
    auditContext(c),
    deps.config,
    expectedKid,
    now,
  )
  if (!result.ok) {
    await setFlash(c, {
      kind: 'error',
      text: 'The signing key was rotated meanwhile (another owner, or this form sent twice); this request changed nothing. The page below shows the key now active.',
    })
    return redirectTo(c, '/settings/keys')
  }
  await setFlash(c, { kind: 'success', text: rotationSummary(result, shown) })
  return redirectTo(c, '/settings/keys')
})

/** What actually ended, and what the page had shown when that differs (counts move meanwhile). */
function rotationSummary(
  ended: { impersonationsEnded: number; kitSessionsEnded: number },
  fields: Record<string, string>,
): string {
  const n = ended.impersonationsEnded
  const k = ended.kitSessionsEnded
  const text = `Signing key rotated: ${n} active impersonation${n === 1 ? '' : 's'} ended, ${k} kit session${k === 1 ? '' : 's'} among them. The old key stays in the JWKS for one hour.`
  const shown = [fields.shownImpersonations, fields.shownKitSessions]
  // Only counts are echoed back: the fields come from the form, not from us.
  if (!shown.every((v) => v !== undefined && /^\d{1,9}$/.test(v))) return text
  if (shown[0] === String(n) && shown[1] === String(k)) return text
  return `${text} The page had shown ${shown[0]} and ${shown[1]}: impersonations started or ended in between.`
}

// Ends the caller's own session too: they sign in again like everyone else.
keySettingsRoutes.post('/super-admin-secret', edit, requireRecentTotp, async (c) => {
  // --- issue 14: dual control — a request instead of the rotation while the policy says so ---
  const gated = await requestInsteadOfActing(c, SECRET_APPROVAL, '/settings/keys', (f) =>
    renderKeysPage(c, { secretApproval: f }),
  )
  if (gated) return gated
  // --- end dual control ---
  const { deps } = c.var
  const result = await rotateSuperAdminSecret(c.var.db, auditContext(c), deps.config, c.var.now())
  clearSessionCookie(c)
  const n = result.ok ? result.sessionsEnded : 0
  // Signed with the new secret: this instance dropped its cached copy at the commit.
  await setFlash(c, {
    kind: 'info',
    text: `Super-admin secret rotated: ${n} session${n === 1 ? '' : 's'} ended, yours included, and cookies signed before no longer count. Sign in again.`,
  })
  return redirectTo(c, '/login')
})
