import { randomBytes, webcrypto } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decryptSecret, deriveKey, encryptSecret } from './encryption.js'

const SECRET_KEY = 'a-long-random-server-secret-of-at-least-32-bytes'
const key = deriveKey(SECRET_KEY, 'totp-secret')
const totpKey = new Uint8Array(randomBytes(20))

/** The sealed value's bytes: iv(12) ‖ ciphertext ‖ tag(16). */
function sealedBytes(sealed: string): Buffer {
  return Buffer.from(sealed.slice(3), 'base64url')
}

/** Flips one bit of byte `index` (negative counts from the end) and seals the bytes again. */
function flipBit(sealed: string, index: number): string {
  const raw = sealedBytes(sealed)
  raw[index < 0 ? raw.length + index : index] ^= 0x01
  return 'v1.' + raw.toString('base64url')
}

describe('deriveKey', () => {
  it('gives 32 bytes, the same for the same secret and purpose', () => {
    expect(key).toHaveLength(32)
    expect(deriveKey(SECRET_KEY, 'totp-secret').equals(key)).toBe(true)
  })

  it('gives different keys for different purposes', () => {
    const cookie = deriveKey(SECRET_KEY, 'cookie-signing')

    expect(cookie.equals(key)).toBe(false)
    expect(deriveKey(SECRET_KEY, 'totp-secret ').equals(key)).toBe(false)
  })

  it('gives different keys for different server secrets', () => {
    expect(deriveKey(SECRET_KEY + 'x', 'totp-secret').equals(key)).toBe(false)
  })

  it('is HKDF-SHA256 with salt "fleetdeck" and the purpose as info (RFC 5869)', async () => {
    const material = await webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(SECRET_KEY),
      'HKDF',
      false,
      ['deriveBits'],
    )
    const bits = await webcrypto.subtle.deriveBits(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: new TextEncoder().encode('fleetdeck'),
        info: new TextEncoder().encode('totp-secret'),
      },
      material,
      256,
    )

    expect(Buffer.from(bits).equals(key)).toBe(true)
  })
})

describe('encryptSecret and decryptSecret', () => {
  it('round-trips a TOTP key', () => {
    const sealed = encryptSecret(key, totpKey)

    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/)
    expect(sealedBytes(sealed)).toHaveLength(12 + 20 + 16)
    expect(decryptSecret(key, sealed)).toEqual(totpKey)
  })

  it('round-trips an empty value', () => {
    expect(decryptSecret(key, encryptSecret(key, new Uint8Array(0)))).toEqual(new Uint8Array(0))
  })

  it('does not contain the plaintext', () => {
    const raw = sealedBytes(encryptSecret(key, totpKey))

    expect(raw.includes(Buffer.from(totpKey))).toBe(false)
  })

  it('uses a fresh IV each time, so the same key seals to different values', () => {
    const sealed = Array.from({ length: 50 }, () => encryptSecret(key, totpKey))
    const ivs = sealed.map((s) => sealedBytes(s).subarray(0, 12).toString('hex'))

    expect(new Set(sealed).size).toBe(50)
    expect(new Set(ivs).size).toBe(50)
    expect(sealed.every((s) => Buffer.from(decryptSecret(key, s)).equals(totpKey))).toBe(true)
  })

  it('is standard AES-256-GCM that WebCrypto can open', async () => {
    const raw = sealedBytes(encryptSecret(key, totpKey))
    const aes = await webcrypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt'])
    const plain = await webcrypto.subtle.decrypt(
      { name: 'AES-GCM', iv: raw.subarray(0, 12), tagLength: 128 },
      aes,
      raw.subarray(12),
    )

    expect(new Uint8Array(plain)).toEqual(totpKey)
  })

  it.each([
    ['the IV', 0],
    ['the ciphertext', 12],
    ['the last ciphertext byte', 31],
    ['the tag', -1],
    ['the first tag byte', -16],
  ])('throws when one bit of %s is changed', (_where, index) => {
    const sealed = encryptSecret(key, totpKey)

    expect(() => decryptSecret(key, flipBit(sealed, index))).toThrow()
  })

  it('throws when the value is truncated or extended', () => {
    const raw = sealedBytes(encryptSecret(key, totpKey))

    expect(() =>
      decryptSecret(key, 'v1.' + raw.subarray(0, raw.length - 1).toString('base64url')),
    ).toThrow()
    expect(() => decryptSecret(key, 'v1.' + raw.subarray(0, 28).toString('base64url'))).toThrow()
    expect(() => decryptSecret(key, 'v1.' + raw.subarray(0, 12).toString('base64url'))).toThrow()
    expect(() => decryptSecret(key, 'v1.')).toThrow()
    expect(() =>
      decryptSecret(key, 'v1.' + Buffer.concat([raw, Buffer.from([0])]).toString('base64url')),
    ).toThrow()
  })

  it('throws with a key derived for another purpose or from another secret', () => {
    const sealed = encryptSecret(key, totpKey)

    expect(() => decryptSecret(deriveKey(SECRET_KEY, 'cookie-signing'), sealed)).toThrow()
    expect(() => decryptSecret(deriveKey('another-secret', 'totp-secret'), sealed)).toThrow()
  })

  it('refuses a value without the v1 prefix', () => {
    const sealed = encryptSecret(key, totpKey)

    expect(() => decryptSecret(key, sealed.slice(3))).toThrow('unknown secret format')
    expect(() => decryptSecret(key, 'v2.' + sealed.slice(3))).toThrow('unknown secret format')
    expect(() => decryptSecret(key, '')).toThrow('unknown secret format')
  })
})
