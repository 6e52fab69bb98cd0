import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { cookieSigningKey } from '../auth/cookie-secret.js'
import type { AppEnv } from './env.js'
import { wantsFragment } from './render.js'

export type Flash = {
  kind: 'success' | 'error' | 'info'
  text: string
  /** A button that reverses what the message reports (activate after a suspension). */
  undo?: FlashUndo
}

/** The form an Undo button posts: a local action, its verb, and the button's accessible name. */
export type FlashUndo = { action: string; method: 'POST' | 'DELETE'; label: string }

const FLASH_COOKIE = 'fleetdeck_flash'

// The rotatable cookie secret is mixed in (src/auth/cookie-secret.ts), derived once per secret.
function flashKey(c: Context<AppEnv>): Promise<string> {
  // The settings cache is keyed on the app's root database handle (src/db/settings.ts).
  const { deps, now } = c.var
  return cookieSigningKey(deps.database.db, deps.config.secretKey, 'flash-cookie', now().getTime())
}

/** Queues a message for the next page this browser renders (post → redirect → get). */
export async function setFlash(c: Context<AppEnv>, flash: Flash): Promise<void> {
  await setSignedCookie(c, FLASH_COOKIE, JSON.stringify(flash), await flashKey(c), {
    httpOnly: true,
    sameSite: 'Strict',
    secure: c.var.deps.config.secureCookies,
    path: '/',
    maxAge: 60,
  })
}

/** Reads and clears the queued message, if any; a tampered cookie is ignored. */
export async function takeFlash(c: Context<AppEnv>): Promise<Flash | undefined> {
  // Most pages have no flash: skip the key derivation and HMAC import then.
  if (getCookie(c, FLASH_COOKIE) === undefined) return undefined
  const raw = await getSignedCookie(c, await flashKey(c), FLASH_COOKIE)
  if (raw === undefined) return undefined
  deleteCookie(c, FLASH_COOKIE, { path: '/' })
  if (raw === false) return undefined
  try {
    const flash = JSON.parse(raw) as Flash
    return typeof flash.text === 'string' ? flash : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the queued message into `c.var.flash` for every full page (a GET that is not an htmx
 * fragment), whichever route renders it, so the page after a redirect shows it — step-up's
 * "Confirmed" included. Form posts and fragments leave it queued for the page that follows.
 */
export const takeFlashForPage: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'GET' && !wantsFragment(c)) {
    c.set('flash', await takeFlash(c))
  }
  await next()
}
