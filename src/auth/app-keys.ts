import { generateSplitToken, hashSecret, parseSplitToken, secretMatches } from './tokens.js'

// App keys: the bearer credentials tenant apps present to the kit API (issue 8 item 3). The
// format is the session token's (`id.secret`, 160 bits each, only sha256(secret) stored) behind a
// `fdk_` prefix, so a leaked key is recognisable to secret scanners and never mistaken for a
// session token.

const PREFIX = 'fdk_'

export type NewAppKey = {
  /** The row's id: the public half, safe to show in lists and logs. */
  id: string
  /** `fdk_<id>.<secret>`: shown to the owner once, never stored. */
  token: string
  /** sha256 of the secret half: what `public.app_keys.secret_hash` keeps. */
  secretHash: Uint8Array
}

/** A fresh app key (OWASP ASVS 5.0 §7.2.3: ≥ 128 bits of entropy from a CSPRNG). */
export function generateAppKey(): NewAppKey {
  const { id, secret, token } = generateSplitToken()
  return { id, token: PREFIX + token, secretHash: hashSecret(secret) }
}

/** `{ id, secret }` of a presented `fdk_<id>.<secret>`; undefined when the shape is wrong. */
export function parseAppKey(token: string): { id: string; secret: string } | undefined {
  if (!token.startsWith(PREFIX)) return undefined
  return parseSplitToken(token.slice(PREFIX.length))
}

/** Constant-time check of a presented secret against the stored hash. */
export function appKeySecretMatches(secret: string, storedHash: Uint8Array): boolean {
  return secretMatches(secret, storedHash)
}

/**
 * The origin (`scheme://host[:port]`, RFC 6454 §6.2) a tenant app is reached at, from what an
 * owner typed: http or https only, no credentials, path (other than one `/`), query or fragment,
 * since the origin is compared with a handoff token's `aud` as an exact string. Normalised as
 * browsers do: scheme and host in lower case, the default port dropped, an IDN host in punycode.
 * @returns the origin, or undefined when the text is not such an URL
 */
export function parseAppOrigin(text: string): string | undefined {
  if (!/^https?:\/\/[^/?#\\@\s]+\/?$/i.test(text)) return undefined
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.username || url.password || !url.hostname) return undefined
  return url.origin
}
