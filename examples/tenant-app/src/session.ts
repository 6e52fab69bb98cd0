import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import type { BoardEnv } from './env.js'

// The app's own sign-in session: a signed cookie holding the tenant, when it was issued and the
// email, scoped to that tenant's path (/t/<slug>) and honoured on that tenant's pages only.
// Membership and status are not in it: the kit checks them on every request (≤ 5 s cache).

const COOKIE = 'board_session'
/** A session lasts 12 hours from sign-in, in seconds. */
export const SESSION_SECONDS = 12 * 3600

const pathOf = (slug: string) => `/t/${slug}`

export async function startSession(c: Context<BoardEnv>, slug: string, email: string) {
  const { cookieSecret, secureCookies, now } = c.var.deps
  await setSignedCookie(c, COOKIE, `${slug}:${now()}:${email}`, cookieSecret, {
    path: pathOf(slug),
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookies,
    maxAge: SESSION_SECONDS,
  })
}

export function endSession(c: Context<BoardEnv>, slug: string) {
  deleteCookie(c, COOKIE, { path: pathOf(slug), secure: c.var.deps.secureCookies })
}

/** Sets `c.var.user` from a valid session cookie of this tenant; a forged or stale one is ignored. */
export const readSession: MiddlewareHandler<BoardEnv> = async (c, next) => {
  const value = await getSignedCookie(c, c.var.deps.cookieSecret, COOKIE)
  const match = typeof value === 'string' ? /^([a-z0-9-]+):(\d+):(.+)$/.exec(value) : null
  const fresh = match && c.var.deps.now() - Number(match[2]) < SESSION_SECONDS * 1000
  if (match && fresh && match[1] === c.req.param('slug')) c.set('user', { email: match[3] })
  await next()
}
