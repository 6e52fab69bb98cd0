import { sha256 } from '@oslojs/crypto/sha2'
import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding'
import { randomBytes } from 'node:crypto'

export type SplitToken = { id: string; secret: string; token: string }

/**
 * A bearer token `id.secret`: two random base32 strings of 160 bits each (≥ 120 bits per the
 * Lucia sessions guide). The id finds the row; only sha256(secret) is stored.
 */
export function generateSplitToken(): SplitToken {
  const id = encodeBase32LowerCaseNoPadding(randomBytes(20))
  const secret = encodeBase32LowerCaseNoPadding(randomBytes(20))
  return { id, secret, token: `${id}.${secret}` }
}

/** Splits `id.secret`; undefined when the shape is wrong. */
export function parseSplitToken(token: string): { id: string; secret: string } | undefined {
  const match = /^([a-z2-7]{32})\.([a-z2-7]{32})$/.exec(token)
  return match ? { id: match[1], secret: match[2] } : undefined
}

/** sha256 of the secret: what the database keeps. */
export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret))
}

/** Constant-time check of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  return constantTimeEqual(hashSecret(secret), new Uint8Array(storedHash))
}
