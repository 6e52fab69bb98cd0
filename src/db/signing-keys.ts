import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database } from './schema.js'

// The handoff-signing key pairs in public.signing_keys (issue 8 item 1). What a key means and
// when it is published is src/auth/signing-keys.ts; here is only how rows are read and written.

/** The public half of an Ed25519 key as a JWK (RFC 8037 §2): `x` is the base64url public key. */
export type PublicOkpJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string }

/** A key as the verifiers see it: no private part is selected. */
export type PublishedSigningKey = {
  kid: string
  publicJwk: PublicOkpJwk
  algorithm: 'EdDSA'
  createdAt: Date
  /** Null while the key is the active one. */
  retiredAt: Date | null
}

/** The active key with its sealed private half (`encryptSecret` output, `v1.…`). */
export type SigningKey = PublishedSigningKey & { privateKeySealed: string }

/**
 * Arbitrary, fixed key of the transaction-level advisory lock between rotating the signing key
 * (exclusive) and signing with it (shared). Row locks cannot do this alone: a rotation lists the
 * live impersonations to end, and a start that has not committed yet is not among them.
 */
const SIGNING_KEY_LOCK = 7_346_210_002

/**
 * Takes the signing-key lock exclusively until the transaction ends: waits for every transaction
 * that holds it shared (impersonation starts and handoffs, which may be signing with the active
 * key) to commit, and keeps new ones out until this rotation commits. Take it before any other
 * lock of the transaction, as every holder does, so no two wait on each other.
 */
export async function lockSigningKeyExclusive(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${SIGNING_KEY_LOCK})`.execute(trx)
}

/**
 * Takes the signing-key lock shared until the transaction ends: no rotation runs between signing
 * a handoff and the commit of what it hands off to, so a rotation either sees that impersonation
 * (and ends it) or committed before it (and the handoff carries the new key). Shared holders do
 * not wait on each other; taking it again in the same transaction never waits. Take it before
 * any other lock of the transaction (the audit chain's above all): a rotation holds it first.
 */
export async function lockSigningKeyShared(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${SIGNING_KEY_LOCK})`.execute(trx)
}

/**
 * The active signing key (retired_at null; at most one by a partial unique index), or undefined;
 * locked FOR UPDATE with `lock` (a rotation compares it with the kid its form showed).
 */
export async function findActiveSigningKey(db: Db, lock = false): Promise<SigningKey | undefined> {
  const query = db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null)
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst()
  return row && { ...published(row), privateKeySealed: row.private_key_sealed }
}

/**
 * The keys a verifier may meet: the active one and those retired after `retiredAfter`, newest
 * first (the active key leads). Never selects the sealed private halves.
 */
export async function listPublishableSigningKeys(
  db: Db,
  retiredAfter: Date,
): Promise<PublishedSigningKey[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'public_jwk', 'algorithm', 'created_at', 'retired_at'])
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
    .orderBy(sql`retired_at is null`, 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute()
  return rows.map(published)
}

/**
 * Stores `key` as the active key unless one is active already (two instances starting together
 * keep the first; ON CONFLICT on the partial unique index). A repeated kid is a bug and throws.
 * @returns true when this call stored it
 */
export async function insertActiveSigningKey(
  db: Db,
  key: { kid: string; publicJwk: PublicOkpJwk; privateKeySealed: string; createdAt: Date },
): Promise<boolean> {
  const result = await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      public_jwk: JSON.stringify(key.publicJwk),
      private_key_sealed: key.privateKeySealed,
      created_at: key.createdAt,
    })
    .onConflict((oc) =>
      oc
        .expression(sql`(true)`)
        .where('retired_at', 'is', null)
        .doNothing(),
    )
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

/**
 * Retires `kid` at `now` if it is still the active key (compare-and-set: of two rotations that
 * read the same active key, only one retires it). @returns true when this call retired it
 */
export async function retireSigningKey(db: Db, kid: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('signing_keys')
    .set({ retired_at: now })
    .where('kid', '=', kid)
    .where('retired_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

type PublishedRow = {
  kid: string
  public_jwk: unknown
  algorithm: 'EdDSA'
  created_at: Date
  retired_at: Date | null
}

function published(row: PublishedRow): PublishedSigningKey {
  const { x } = row.public_jwk as { x: string }
  return {
    kid: row.kid,
    // Rebuilt member by member: whatever else the column held is never handed on.
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x },
    algorithm: row.algorithm,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  }
}
