import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { roleCan, type Permission } from '../auth/permissions.js'
import { validateSessionToken, type SessionEndReason } from '../auth/session.js'
import type { AppEnv } from './env.js'
import { clientIp, formFields, isHtmx } from './request.js'
import { isAllowed } from '../auth/ip-allowlist.js'
import { refuseAddress } from './ip-guard.js'
import { clearSessionCookie, readSessionCookie } from './session-cookie.js'
import { rememberForm } from './form-resume.js'

/** Requests from background polling carry this header and never count as activity. */
export const POLL_HEADER = 'x-fleetdeck-poll'

/**
 * The session behind the cookie, whatever step of sign-in it has reached. `onEnded` hears why a
 * real session was refused (idle, absolute, signed out, deactivated).
 */
export async function loadSession(
  c: Context<AppEnv>,
  onEnded?: (reason: SessionEndReason) => void,
) {
  const token = readSessionCookie(c)
  if (!token) return undefined
  const { config } = c.var.deps
  const found = await validateSessionToken(
    c.var.db,
    token,
    { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds },
    { touch: c.req.header(POLL_HEADER) === undefined, now: c.var.now(), onEnded },
  )
  if (!found) clearSessionCookie(c)
  return found
}

/**
 * The sign-in address for a refused request. When a session the browser held has ended, it says
 * why (`ended`) and where the operator was (`next`): the page htmx was called from
 * (`HX-Current-URL`), the page asked for, or the page a plain form was posted from.
 */
export function loginUrl(c: Context<AppEnv>, ended?: SessionEndReason): string {
  if (!ended) return '/login'
  const from = isHtmx(c)
    ? sameHostPath(c, c.req.header('hx-current-url'))
    : c.req.method === 'GET'
      ? c.req.path + (new URL(c.req.url).search || '')
      : refererPath(c)
  const params = new URLSearchParams({ ended })
  const next = safeNextPath(from, '')
  if (next) params.set('next', next)
  return `/login?${params}`
}

function toLogin(c: Context<AppEnv>, ended?: SessionEndReason): Response {
  const url = loginUrl(c, ended)
  if (isHtmx(c)) {
    c.header('HX-Redirect', url)
    return c.body(null, 401)
  }
  return c.redirect(url, 303)
}

/**
 * Every console page: a session that passed password AND TOTP, of an active admin with TOTP
 * enrolled. Anything less goes to /login (htmx gets `HX-Redirect`). DESIGN.md §5.
 */
export const requireConsoleSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  let ended: SessionEndReason | undefined
  const found = await loadSession(c, (reason) => (ended = reason))
  if (!found || !found.session.twoFactorVerified || !found.admin.mfaEnabled)
    return toLogin(c, ended)
  c.set('session', found.session)
  c.set('operator', found.admin)
  // The admin's own allowlist holds for the whole session, not just at sign-in.
  if (!isAllowed(found.admin.ipAllowlist, clientIp(c))) await refuseAddress(c, 'admin')
  await next()
}

/**
 * The one permission a route needs; refuses with 403 otherwise. Runs after
 * requireConsoleSession. Source of the role → permission table: src/auth/permissions.ts.
 */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roleCan(c.var.operator.role, permission)) {
      throw new HTTPException(403, { message: 'Your role does not allow this.' })
    }
    await next()
  }
}

/** A TOTP code newer than this passes step-up without asking again (issue #3: 10 minutes). */
export const STEP_UP_SECONDS = 10 * 60

/** Where to come back after step-up: a local path only (never `//host` or a full URL). */
export function safeNextPath(candidate: string | undefined, fallback = '/'): string {
  // No page of ours has an address this long; a longer one is someone's payload.
  if (!candidate || candidate.length > 2000) return fallback
  try {
    const url = new URL(candidate, 'http://local.invalid')
    if (
      url.origin !== 'http://local.invalid' ||
      !url.pathname.startsWith('/') ||
      url.pathname.startsWith('//')
    )
      return fallback
    return url.pathname + url.search
  } catch {
    return fallback
  }
}

/**
 * Sensitive actions (delete a tenant, manage super admins, security settings, TOTP resets, ending
 * all sessions) need a TOTP check from the last 10 minutes. Otherwise the operator is sent to
 * /step-up and comes back to the page they acted from (a GET to the page itself), to repeat the
 * action with a fresh session id; that page gets the submitted form back, secrets left out
 * (src/web/form-resume.ts). Runs after requireConsoleSession.
 */
export const requireRecentTotp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const verifiedAt = c.var.session.totpVerifiedAt?.getTime() ?? 0
  if (c.var.now().getTime() - verifiedAt <= STEP_UP_SECONDS * 1000) return next()
  const back = safeNextPath(
    c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : refererPath(c),
  )
  // What was typed comes back on that page (issue #6 item 15); a body that is not a form has
  // nothing to keep, and its refusal is someone else's job.
  if (c.req.method !== 'GET') {
    const fields = await formFields(c).catch(() => ({}))
    await rememberForm(c, back, fields)
  }
  const url = `/step-up?next=${encodeURIComponent(back)}`
  if (isHtmx(c)) {
    c.header('HX-Redirect', url)
    return c.body(null, 403)
  }
  return c.redirect(url, 303)
}

function refererPath(c: Context<AppEnv>): string | undefined {
  return sameHostPath(c, c.req.header('referer'))
}

/** Path and query of a full URL the browser sent, when it names this host; else undefined. */
function sameHostPath(c: Context<AppEnv>, href: string | undefined): string | undefined {
  if (!href) return undefined
  try {
    const url = new URL(href)
    return url.host === new URL(c.req.url).host ? url.pathname + url.search : undefined
  } catch {
    return undefined
  }
}
