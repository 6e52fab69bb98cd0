import { parse, serializeSigned } from 'hono/utils/cookie'
import { deriveKey } from '../auth/encryption.js'
import type { Config } from '../config.js'
import type { ScopeCookie } from '../web/scope.js'

// The scope cookie as a browser holds it (src/web/scope.ts), for tests that arrive with a scope
// already chosen, or with one someone edited.

/** Its name when PUBLIC_URL is plain http (every test app). */
export const SCOPE_COOKIE = 'fleetdeck_scope'

/** `fleetdeck_scope=…` signed with the app's scope key; `value` as given when it is a string. */
export async function signedScopeCookie(
  config: Config,
  value: ScopeCookie | string,
): Promise<string> {
  const key = deriveKey(config.secretKey, 'scope-cookie').toString('base64')
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return (await serializeSigned(SCOPE_COOKIE, text, key)).split(';')[0]
}

/** The scope a `fleetdeck_scope=…` cookie carries (signature not checked: the app did that). */
export function scopeIn(cookie: string): ScopeCookie {
  const value = parse(cookie, SCOPE_COOKIE)[SCOPE_COOKIE]
  return JSON.parse(value.slice(0, value.lastIndexOf('.')))
}

/** The `Set-Cookie` line of the scope cookie in a response, or undefined when none. */
export function scopeSetCookie(res: Response): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${SCOPE_COOKIE}=`))
}
