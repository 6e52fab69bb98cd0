import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from './env.js'

// DESIGN.md §5: `__Host-fleetdeck_session`, HttpOnly, Secure, SameSite=Strict, Path=/. Browsers
// refuse __Host- cookies without Secure, so plain-http development uses the bare name.

function cookieName(c: Context<AppEnv>): string {
  return c.var.deps.config.secureCookies ? '__Host-fleetdeck_session' : 'fleetdeck_session'
}

export function readSessionCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, cookieName(c))
}

export function writeSessionCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, cookieName(c), token, {
    httpOnly: true,
    secure: c.var.deps.config.secureCookies,
    sameSite: 'Strict',
    path: '/',
    maxAge: c.var.deps.config.sessionAbsoluteSeconds,
  })
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, cookieName(c), { path: '/', secure: c.var.deps.config.secureCookies })
}
