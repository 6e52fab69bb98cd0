import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { roleCan, type Permission } from '../auth/permissions.js'
import { validateSessionToken } from '../auth/session.js'
import type { AppEnv } from './env.js'
import { isHtmx } from './request.js'
import { clearSessionCookie, readSessionCookie } from './session-cookie.js'

/** Requests from background polling carry this header and never count as activity. */
export const POLL_HEADER = 'x-fleetdeck-poll'

/** The session behind the cookie, whatever step of sign-in it has reached. */
export async function loadSession(c: Context<AppEnv>) {
  const token = readSessionCookie(c)
  if (!token) return undefined
  const { config } = c.var.deps
  const found = await validateSessionToken(
    c.var.db,
    token,
    { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds },
    { touch: c.req.header(POLL_HEADER) === undefined, now: c.var.now() },
  )
  if (!found) clearSessionCookie(c)
  return found
}

function toLogin(c: Context<AppEnv>): Response {
  if (isHtmx(c)) {
    c.header('HX-Redirect', '/login')
    return c.body(null, 401)
  }
  return c.redirect('/login', 303)
}

/**
 * Every console page: a session that passed password AND TOTP, of an active admin with TOTP
 * enrolled. Anything less goes to /login (htmx gets `HX-Redirect`). DESIGN.md §5.
 */
export const requireConsoleSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const found = await loadSession(c)
  if (!found || !found.session.twoFactorVerified || !found.admin.mfaEnabled) return toLogin(c)
  c.set('session', found.session)
  c.set('admin', found.admin)
  await next()
}

/**
 * The one permission a route needs; refuses with 403 otherwise. Runs after
 * requireConsoleSession. Source of the role → permission table: src/auth/permissions.ts.
 */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roleCan(c.var.admin.role, permission)) {
      throw new HTTPException(403, { message: 'Your role does not allow this.' })
    }
    await next()
  }
}
