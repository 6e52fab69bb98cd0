import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * A 32-byte key for one purpose, derived from FLEETDECK_SECRET_KEY with HKDF-SHA256 (RFC 5869),
 * so the cookie-signing key and the TOTP-encryption key are never the same bytes.
 */
export function deriveKey(secretKey: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'fleetdeck', purpose, 32))
}

/**
 * AES-256-GCM encryption of a small secret (a TOTP key) at rest.
 * @returns `v1.<base64url of iv(12) ‖ ciphertext ‖ tag(16)>`
 */
export function encryptSecret(key: Buffer, plaintext: Uint8Array): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return 'v1.' + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
}

/**
 * Reverses `encryptSecret`.
 * @throws Error when the value was not made with this key or was altered (GCM tag mismatch).
 */
export function decryptSecret(key: Buffer, sealed: string): Uint8Array {
  if (!sealed.startsWith('v1.')) throw new Error('unknown secret format')
  const raw = Buffer.from(sealed.slice(3), 'base64url')
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
  decipher.setAuthTag(raw.subarray(raw.length - 16))
  return new Uint8Array(
    Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]),
  )
}
