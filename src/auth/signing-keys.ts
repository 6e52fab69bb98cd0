import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { Transaction } from 'kysely'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import {
  findActiveSigningKey,
  insertActiveSigningKey,
  listPublishableSigningKeys,
  lockSigningKeyExclusive,
  retireSigningKey,
  type PublicOkpJwk,
} from '../db/signing-keys.js'
import type { Database } from '../db/schema.js'
import { decryptSecret, deriveKey, encryptSecret } from './encryption.js'

// The keys that sign impersonation handoffs (DESIGN.md §12, issue 8 item 1): short JWTs carrying
// an RFC 8693 `act` claim, which tenant apps verify against /.well-known/jwks.json. Ed25519
// (EdDSA, RFC 8037): small keys, deterministic signatures, one algorithm to accept.
// Trust boundary: the private half leaves this module only as a non-extractable CryptoKey.

/**
 * How long a retired key stays in the JWKS, in milliseconds (1 hour; issue 10 item 6). A handoff
 * lives 60 s, so a token signed just before a rotation is dead long before its key leaves; the
 * kit refetches the JWKS when a token names a kid it does not hold, so a new key is found at
 * once. The hour covers verifiers that cache the JWKS without that refetch (an hour is a common
 * HTTP cache lifetime) while a rotated-out key, perhaps leaked, stops being trusted soon after.
 * Keys retired longer ago are never published again.
 */
export const SIGNING_KEY_OVERLAP_MS = 60 * 60 * 1000

/** The one algorithm Fleetdeck signs with and publishes (`alg` of RFC 7517 §4.4). */
export const SIGNING_ALGORITHM = 'EdDSA'

/** A JWK as published in the JWKS (RFC 7517 §4, RFC 8037 §2): the public half, no `d`. */
export type PublishedJwk = PublicOkpJwk & { kid: string; alg: 'EdDSA'; use: 'sig' }

/** The active key, ready to sign: what the handoff gives jose's `SignJWT.sign`. */
export type ActiveSigningKey = { kid: string; alg: 'EdDSA'; privateKey: CryptoKey }

/** The one line shown when a stored private key does not open with this FLEETDECK_SECRET_KEY. */
export class SigningKeyUnsealError extends Error {
  constructor(kid: string) {
    super(
      `signing key ${kid}: its private key does not open with this FLEETDECK_SECRET_KEY (sealed with another key, or altered)`,
    )
  }
}

type SecretKey = Pick<Config, 'secretKey'>

/**
 * Makes sure a key is active, creating one on the first start of a database. Race-safe: two
 * instances starting together both insert, the partial unique index keeps one (ON CONFLICT DO
 * NOTHING), and the loser reads the winner's key.
 * @returns the active key's kid, and whether this call created it
 */
export async function ensureActiveSigningKey(
  db: Db,
  config: SecretKey,
  now: Date,
): Promise<{ kid: string; created: boolean }> {
  const active = await findActiveSigningKey(db)
  if (active) return { kid: active.kid, created: false }
  const fresh = await newSigningKey(config.secretKey, now)
  if (await insertActiveSigningKey(db, fresh)) return { kid: fresh.kid, created: true }
  const winner = await findActiveSigningKey(db)
  // The insert met an active key a moment ago; it cannot have gone without a rotation's new one.
  if (!winner) throw new Error('signing keys: no active key after a conflicting insert')
  return { kid: winner.kid, created: false }
}

/**
 * The active key with its private half unsealed, for signing a handoff (`alg` EdDSA, `kid` in
 * the JWS header, RFC 7515 §4.1.4). Creates the key first on a database that has none (seeded or
 * test databases that never went through a server start).
 * @throws SigningKeyUnsealError when the key was sealed with another secret key
 */
export async function activeSigningKey(
  db: Db,
  config: SecretKey,
  now: Date,
): Promise<ActiveSigningKey> {
  await ensureActiveSigningKey(db, config, now)
  const key = await findActiveSigningKey(db)
  if (!key) throw new Error('signing keys: the active key vanished after ensureActiveSigningKey')
  return { kid: key.kid, alg: SIGNING_ALGORITHM, privateKey: await unseal(config, key) }
}

/**
 * Replaces the active key with a new one in one transaction: the previous key is retired at
 * `now` (compare-and-set) and stays published for SIGNING_KEY_OVERLAP_MS, so tokens it signed
 * keep verifying. Waits for handoffs being signed to commit (beginSigningKeyRotation). Two
 * rotations at once run one after the other, each replacing the key it finds; use the settings
 * page's rotation (src/operators/key-rotation.ts) to rotate only the key an owner saw and end what
 * the old key let in within the same transaction. The caller audits the change.
 * @returns the new kid and the retired one (null when no key was active); `concurrent` when a key
 *   was created meanwhile outside the lock (ensureActiveSigningKey at a server start): no change
 */
export async function rotateSigningKey(
  db: Db,
  config: SecretKey,
  now: Date,
): Promise<
  { ok: true; kid: string; retiredKid: string | null } | { ok: false; reason: 'concurrent' }
> {
  try {
    return await db.transaction().execute(async (trx) => {
      await beginSigningKeyRotation(trx)
      return { ok: true as const, ...(await replaceActiveSigningKey(trx, config, now)) }
    })
  } catch (error) {
    if (error instanceof ConcurrentRotationError) return { ok: false, reason: 'concurrent' }
    throw error
  }
}

/**
 * The first step of every rotation, inside its transaction: takes the signing-key lock
 * exclusively, so every transaction signing a handoff with the current key (they hold it shared,
 * src/auth/handoff-token.ts) has committed and none starts until this one ends, then reads the
 * active key locked FOR UPDATE. Call it before any other lock or read of the transaction: what
 * the rotation reads afterwards (the live impersonations) includes every handoff the old key
 * signed. On PostgreSQL's default READ COMMITTED each later statement sees those commits.
 * @returns the active kid, or null when no key exists yet
 */
export async function beginSigningKeyRotation(trx: Transaction<Database>): Promise<string | null> {
  await lockSigningKeyExclusive(trx)
  return (await findActiveSigningKey(trx, true))?.kid ?? null
}

/** Another rotation retired the active key first; the transaction must roll back. */
export class ConcurrentRotationError extends Error {
  constructor() {
    super('signing keys: another rotation replaced the active key first')
  }
}

/**
 * The rotation itself, inside the caller's transaction (`trx`), after beginSigningKeyRotation:
 * retires the active key at `now` and stores a fresh one as active. Throwing rolls the retirement back, so the database is never
 * left without an active key.
 * @returns the new kid and the retired one (null when no key was active)
 * @throws ConcurrentRotationError when another rotation won the race: roll back
 */
export async function replaceActiveSigningKey(
  trx: Db,
  config: SecretKey,
  now: Date,
): Promise<{ kid: string; retiredKid: string | null }> {
  const fresh = await newSigningKey(config.secretKey, now)
  const active = await findActiveSigningKey(trx)
  if (active && !(await retireSigningKey(trx, active.kid, now))) throw new ConcurrentRotationError()
  if (!(await insertActiveSigningKey(trx, fresh))) throw new ConcurrentRotationError()
  return { kid: fresh.kid, retiredKid: active?.kid ?? null }
}

/**
 * The JWK Set document served at /.well-known/jwks.json (RFC 7517 §5): the active key and those
 * retired within SIGNING_KEY_OVERLAP_MS before `now`, active first. Public members only: each
 * JWK is built from `x` alone, so a private member can never be published.
 */
export async function publicJwks(db: Db, now: Date): Promise<{ keys: PublishedJwk[] }> {
  const since = new Date(now.getTime() - SIGNING_KEY_OVERLAP_MS)
  const keys = await listPublishableSigningKeys(db, since)
  return {
    keys: keys.map((k) => ({
      kty: 'OKP',
      crv: 'Ed25519',
      x: k.publicJwk.x,
      kid: k.kid,
      alg: k.algorithm,
      use: 'sig',
    })),
  }
}

/** A fresh Ed25519 pair: kid of 128 random bits (base64url), private JWK sealed (AES-256-GCM). */
async function newSigningKey(secretKey: string, now: Date) {
  const pair = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true })
  const privateJwk = await exportJWK(pair.privateKey)
  const sealed = encryptSecret(
    sealingKey(secretKey),
    new TextEncoder().encode(JSON.stringify(privateJwk)),
  )
  return {
    kid: randomBytes(16).toString('base64url'),
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: privateJwk.x! } as PublicOkpJwk,
    privateKeySealed: sealed,
    createdAt: now,
  }
}

async function unseal(config: SecretKey, key: { kid: string; privateKeySealed: string }) {
  let jwk: JWK
  try {
    const opened = decryptSecret(sealingKey(config.secretKey), key.privateKeySealed)
    jwk = JSON.parse(new TextDecoder().decode(opened)) as JWK
  } catch {
    throw new SigningKeyUnsealError(key.kid)
  }
  return (await importJWK(jwk, SIGNING_ALGORITHM, { extractable: false })) as CryptoKey
}

function sealingKey(secretKey: string): Buffer {
  return deriveKey(secretKey, 'signing-key')
}
