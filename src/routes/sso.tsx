import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { recordSsoRefusal, signInWithSso, type SsoSignInRefusal } from '../auth/sign-in.js'
import { finishSso, startSso, type SsoRefusal } from '../auth/sso.js'
import { providerLabel } from '../auth/sso-providers.js'
import type { SsoProviderConfig } from '../config.js'
import { consumeSsoState, deleteSsoStatesBefore, insertSsoState } from '../db/sso-states.js'
import { hitRateLimitLightly } from '../db/rate-limits.js'
import { LoginPage, SsoContinuePage } from '../views/auth/sign-in-pages.js'
import type { AppEnv } from '../web/env.js'
import { auditContext, clientIp } from '../web/request.js'
import { writeSessionCookie } from '../web/session-cookie.js'

// Operator sign-in through an identity provider (issue 14 item 3): start → provider → callback
// → the TOTP step, which SSO never skips (seed 002). Only the first factor changes.

/** A started sign-in must come back within this many seconds. */
export const SSO_STATE_MAX_AGE_SECONDS = 10 * 60
/**
 * Binds the callback to the browser that started it (RFC 6749 §10.12). SameSite=Lax, not Strict:
 * the provider's redirect back is a cross-site top-level navigation, which Strict cookies skip.
 */
const STATE_COOKIE = 'fleetdeck_sso_state'
const STATE_COOKIE_PATH = '/login/sso'

const callbackQuery = z.object({
  state: z.string().min(1).max(200),
  code: z.string().min(1).max(4096).optional(),
  error: z.string().max(200).optional(),
})

type Refusal =
  | SsoRefusal
  | SsoSignInRefusal
  | 'state_unknown'
  | 'state_mismatch'
  | 'state_expired'
  | 'provider_error'

const AGAIN = 'Start again from the sign-in page.'
const MESSAGES: Record<Refusal, string> = {
  state_unknown: `That sign-in was already used or has expired. ${AGAIN}`,
  state_mismatch: `That sign-in was started in another browser or window. ${AGAIN}`,
  state_expired: `That sign-in took longer than 10 minutes. ${AGAIN}`,
  provider_error: `Your identity provider did not sign you in. ${AGAIN}`,
  exchange_failed: `Your identity provider's answer could not be used. ${AGAIN}`,
  invalid_id_token: `Your identity provider's answer could not be verified. ${AGAIN}`,
  nonce_mismatch: `Your identity provider's answer does not belong to this sign-in. ${AGAIN}`,
  no_email: 'Your identity provider did not tell Fleetdeck your email address.',
  email_unverified: 'Your identity provider has not verified your email address.',
  unknown_email: 'No active operator account uses that email address. Ask an owner to invite you.',
  inactive: 'No active operator account uses that email address. Ask an owner to invite you.',
  no_totp: 'Your account is not set up yet: finish the invitation from your email first.',
  locked: 'Too many failed sign-ins. Wait 15 minutes and try again.',
  ip_refused: 'Sign-in is not allowed from your network address.',
  rate_limited: 'Too many failed sign-ins from your address. Wait 15 minutes and try again.',
}

export const ssoRoutes = new Hono<AppEnv>()

/** The configured provider named in the path; 404 for any other. */
function providerFor(c: Context<AppEnv>): SsoProviderConfig {
  const id = c.req.param('provider')
  const provider = c.var.deps.config.ssoProviders.find((p) => p.id === id)
  if (!provider) throw new HTTPException(404, { message: 'No such sign-in provider.' })
  return provider
}

/** The sign-in page again with why SSO was refused; nothing was changed but the audit log. */
function refuse(c: Context<AppEnv>, status: 400 | 401 | 502, reason: Refusal) {
  c.status(status)
  return c.render(<LoginPage error={MESSAGES[reason]} />, { title: 'Sign in' })
}

ssoRoutes.post('/login/sso/:provider', async (c) => {
  const provider = providerFor(c)
  const { config } = c.var.deps
  const now = c.var.now()
  // Each start stores a state row for 10 minutes: one address may start 30 a minute, so a script
  // cannot grow the table without bound (OWASP ASVS 5.0 §2.4.1, anti-automation).
  if (
    (await hitRateLimitLightly(c.var.db, `sso-start:${clientIp(c) ?? 'unknown'}`, 60, now)) > 30
  ) {
    c.status(429)
    return c.render(
      <LoginPage error="Too many sign-in attempts from your address; wait a minute." />,
      {
        title: 'Sign in',
      },
    )
  }
  let start
  try {
    start = await startSso(provider, config.publicUrl)
  } catch {
    // Discovery failed: the provider is down or misconfigured, not the operator's doing.
    c.status(502)
    return c.render(
      <LoginPage error={`${providerLabel(provider)} cannot be reached. Try again later.`} />,
      { title: 'Sign in' },
    )
  }
  await deleteSsoStatesBefore(c.var.db, new Date(now.getTime() - SSO_STATE_MAX_AGE_SECONDS * 1000))
  await insertSsoState(c.var.db, { ...start, provider: provider.id, createdAt: now })
  setCookie(c, STATE_COOKIE, start.state, {
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'Lax',
    path: STATE_COOKIE_PATH,
    maxAge: SSO_STATE_MAX_AGE_SECONDS,
  })
  return c.redirect(start.url.toString(), 302)
})

ssoRoutes.get('/login/sso/:provider/callback', async (c) => {
  const provider = providerFor(c)
  const { config } = c.var.deps
  const now = c.var.now()
  const context = auditContext(c)
  const audit = (reason: Refusal, email?: string) =>
    recordSsoRefusal(c.var.db, context, now, { provider: provider.id, email }, undefined, reason)
  const cookie = getCookie(c, STATE_COOKIE)
  deleteCookie(c, STATE_COOKIE, { path: STATE_COOKIE_PATH, secure: config.secureCookies })
  const query = callbackQuery.safeParse(c.req.query())
  if (!query.success) return refuse(c, 400, 'state_unknown')
  // Consumed before any other check, so a state is tried once whatever happens next.
  const stored = await consumeSsoState(c.var.db, query.data.state)
  const refusal: Refusal | undefined = !stored
    ? 'state_unknown'
    : cookie !== stored.state || stored.provider !== provider.id
      ? 'state_mismatch'
      : now.getTime() - stored.createdAt.getTime() > SSO_STATE_MAX_AGE_SECONDS * 1000
        ? 'state_expired'
        : query.data.error !== undefined || query.data.code === undefined
          ? 'provider_error'
          : undefined
  if (refusal || !stored || !query.data.code) {
    await audit(refusal ?? 'provider_error')
    return refuse(c, 401, refusal ?? 'provider_error')
  }
  const identity = await finishSso(provider, config.publicUrl, query.data.code, stored, { now })
  if (!identity.ok) {
    await audit(
      identity.reason,
      identity.reason === 'email_unverified' ? identity.detail : undefined,
    )
    return refuse(c, 401, identity.reason)
  }
  const result = await signInWithSso(
    c.var.db,
    context,
    { provider: provider.id, email: identity.email },
    now,
  )
  if (!result.ok) return refuse(c, 401, result.reason)
  writeSessionCookie(c, result.token)
  // A page, not a redirect: this request came from the provider's site, and a redirect would
  // keep it cross-site, so the SameSite=Strict session cookie would not reach /login/totp.
  return c.render(<SsoContinuePage provider={providerLabel(provider)} next="/login/totp" />, {
    title: 'Signed in',
  })
})
