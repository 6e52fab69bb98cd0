import type { Db } from '../db/database.js'
import { findKeyCheck, findOneTotpSecret, insertKeyCheck } from '../db/key-check.js'
import { decryptSecret, deriveKey, encryptSecret } from './encryption.js'

// A server started on an existing database with another FLEETDECK_SECRET_KEY cannot decrypt the
// stored TOTP secrets: every TOTP step would fail. It must refuse to start instead (issue 6).

const KEY_CHECK_PLAINTEXT = new TextEncoder().encode('fleetdeck secret key check v1')

/** The one line a server prints when its key is not the database's. */
export class SecretKeyMismatchError extends Error {
  constructor() {
    super(
      'secret key: FLEETDECK_SECRET_KEY does not match the key this database was set up with (it cannot decrypt the stored secrets); start with the original key',
    )
  }
}

/**
 * Proves at start that `secretKey` is the key this database was set up with: it must open the
 * key-check value sealed (AES-256-GCM, `encryptSecret`) at the first start, and one stored TOTP
 * secret if any exists — which also covers databases set up before the key-check value did.
 * The first start on a database seals and stores the value.
 * @returns 'stored' on that first start, 'verified' otherwise
 * @throws SecretKeyMismatchError when either value does not open with this key
 */
export async function checkSecretKey(
  db: Db,
  secretKey: string,
  now: Date,
): Promise<'stored' | 'verified'> {
  const checkKey = deriveKey(secretKey, 'key-check')
  const stored = await findKeyCheck(db)
  if (stored !== undefined && !opens(checkKey, stored)) throw new SecretKeyMismatchError()
  const totpSecret = await findOneTotpSecret(db)
  if (totpSecret !== undefined && !opens(deriveKey(secretKey, 'totp-secret'), totpSecret))
    throw new SecretKeyMismatchError()
  if (stored !== undefined) return 'verified'
  if (await insertKeyCheck(db, encryptSecret(checkKey, KEY_CHECK_PLAINTEXT), now)) return 'stored'
  // Another instance stored its value a moment ago: it must be sealed with the same key.
  const winner = await findKeyCheck(db)
  if (winner === undefined || !opens(checkKey, winner)) throw new SecretKeyMismatchError()
  return 'verified'
}

function opens(key: Buffer, sealed: string): boolean {
  try {
    decryptSecret(key, sealed)
    return true
  } catch {
    return false
  }
}
