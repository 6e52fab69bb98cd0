import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { deriveKey } from '../auth/encryption.js'
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

// Derived once per secret key: HKDF on every request would be work for nothing.
const keys = new Map<string, string>()

function flashKey(c: Context<AppEnv>): string {
  const secret = c.var.deps.config.secretKey
  let key = keys.get(secret)
  if (key === undefined) {
    key = deriveKey(secret, 'flash-cookie').toString('base64')
    keys.set(secret, key)
  }
  return key
}

/** Queues a message for the next page this browser renders (post → redirect → get). */
export async function setFlash(c: Context<AppEnv>, flash: Flash): Promise<void> {
  await setSignedCookie(c, FLASH_COOKIE, JSON.stringify(flash), flashKey(c), {
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
  const raw = await getSignedCookie(c, flashKey(c), FLASH_COOKIE)
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
