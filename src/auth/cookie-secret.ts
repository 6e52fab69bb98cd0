import { hkdfSync, randomBytes } from 'node:crypto'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import {
  asStoredCookieSecret,
  COOKIE_SECRET_SETTING,
  findCookieSecret,
  insertCookieSecret,
  type StoredCookieSecret,
} from '../db/cookie-secret.js'
import { getCachedSetting } from '../db/settings.js'
import { decryptSecret, deriveKey, encryptSecret } from './encryption.js'

// The cookie-signing secret that "rotate the super-admin secret" replaces (issue 10 item 6):
// 32 random bytes sealed in public.settings, mixed into the HMAC keys of the signed cookies
// (scope, flash, form resume) beside FLEETDECK_SECRET_KEY. Rotating it makes every cookie signed
// before worthless without changing FLEETDECK_SECRET_KEY, which also seals stored secrets.
// Sessions are not signed cookies: they are rows, and the rotation deletes them.

/** A new random secret (256 bits), sealed with its own key derived from FLEETDECK_SECRET_KEY. */
export function newCookieSecret(config: Pick<Config, 'secretKey'>, now: Date): StoredCookieSecret {
  const sealed = encryptSecret(sealingKey(config.secretKey), randomBytes(32))
  return { sealed, createdAt: now.toISOString() }
}

/**
 * Makes sure a cookie secret exists, creating one on the first start of a database (src/start.ts).
 * Race-safe: of two instances starting together, the first insert wins.
 * @returns whether this call created it
 */
export async function ensureCookieSecret(
  db: Db,
  config: Pick<Config, 'secretKey'>,
  now: Date,
): Promise<{ created: boolean }> {
  if (await findCookieSecret(db)) return { created: false }
  return { created: await insertCookieSecret(db, newCookieSecret(config, now), now) }
}

// Derived keys by purpose, sealed secret and FLEETDECK_SECRET_KEY: one HKDF and one AES-GCM open
// per rotation and purpose, not per request. Rotations are rare; the cap only bounds a leak.
const derived = new Map<string, string>()
const DERIVED_CAP = 64

/**
 * The HMAC key (base64) for the signed cookie of `purpose` ('scope-cookie', 'flash-cookie'…):
 * HKDF-SHA256 (RFC 5869) over FLEETDECK_SECRET_KEY with the stored cookie secret as salt.
 * Read through the cached settings (src/db/settings.ts): the instance that rotates sees the new
 * secret at once, others within SETTINGS_TTL_MS. A database with no secret yet (never started
 * by src/start.ts, e.g. a test database) signs with FLEETDECK_SECRET_KEY alone, as before.
 * @param nowMs the app clock, in milliseconds since the epoch
 * @throws Error when the stored secret does not open with this FLEETDECK_SECRET_KEY (altered)
 */
export async function cookieSigningKey(
  db: Db,
  secretKey: string,
  purpose: string,
  nowMs: number,
): Promise<string> {
  const stored = asStoredCookieSecret(await getCachedSetting(db, COOKIE_SECRET_SETTING, nowMs))
  const id = `${purpose}\0${stored?.sealed ?? ''}\0${secretKey}`
  let key = derived.get(id)
  if (key === undefined) {
    key = (
      stored ? mixedKey(secretKey, stored.sealed, purpose) : deriveKey(secretKey, purpose)
    ).toString('base64')
    if (derived.size >= DERIVED_CAP) derived.clear()
    derived.set(id, key)
  }
  return key
}

function mixedKey(secretKey: string, sealed: string, purpose: string): Buffer {
  let secret: Uint8Array
  try {
    secret = decryptSecret(sealingKey(secretKey), sealed)
  } catch {
    throw new Error('cookie secret: the stored value does not open with this FLEETDECK_SECRET_KEY')
  }
  return Buffer.from(hkdfSync('sha256', secretKey, secret, `cookie:${purpose}`, 32))
}

function sealingKey(secretKey: string): Buffer {
  return deriveKey(secretKey, 'cookie-secret')
}
