import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose'
import { sql } from 'kysely'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Db } from '../db/database.js'
import { lockSigningKeyShared, retireSigningKey } from '../db/signing-keys.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { decryptSecret, deriveKey } from './encryption.js'
import {
  activeSigningKey,
  ensureActiveSigningKey,
  publicJwks,
  rotateSigningKey,
  SIGNING_KEY_OVERLAP_MS,
  SigningKeyUnsealError,
} from './signing-keys.js'

// The handoff-signing keys (issue 8 item 1): created once, sealed at rest, published as a JWKS
// that verifies what the active key signs, and rotated with an overlap (RFC 7517, RFC 8037).

const t = useTestDatabase()
const config = { secretKey: 'a-long-random-server-secret-of-at-least-32-bytes' }
const DAY = 24 * 60 * 60 * 1000
const start = new Date('2026-12-01T10:00:00Z')
const at = (ms: number) => new Date(start.getTime() + ms)

beforeEach(async () => {
  await t.db.deleteFrom('signing_keys').execute()
})

function keyRows(db: Db) {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute()
}

/** A handoff-shaped token signed by the active key, as the impersonation handoff will sign it. */
async function signedToken(now: Date): Promise<string> {
  const key = await activeSigningKey(t.db, config, now)
  return new SignJWT({ act: { sub: 'operator-id' } })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setSubject('tenant-user-id')
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .sign(key.privateKey)
}

/** Verifies `token` against the JWKS published at `now`, as a tenant app will. */
async function verifyAt(token: string, now: Date) {
  const jwks = createLocalJWKSet(await publicJwks(t.db, now))
  return jwtVerify(token, jwks, { algorithms: ['EdDSA'], currentDate: now })
}

describe('ensureActiveSigningKey', () => {
  it('creates a key on a database that has none, and keeps it on later starts', async () => {
    const first = await ensureActiveSigningKey(t.db, config, start)
    const second = await ensureActiveSigningKey(t.db, config, at(1000))

    expect(first.created).toBe(true)
    expect(second).toEqual({ kid: first.kid, created: false })
    expect(first.kid).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(await keyRows(t.db)).toMatchObject([
      { kid: first.kid, algorithm: 'EdDSA', created_at: start, retired_at: null },
    ])
  })

  it('two instances starting together end with one active key that both report', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ensureActiveSigningKey(t.db, config, start)),
    )

    const rows = await keyRows(t.db)
    expect(rows).toHaveLength(1)
    expect(results.every((r) => r.kid === rows[0].kid)).toBe(true)
    expect(results.filter((r) => r.created)).toHaveLength(1)
  })
})

describe('sealing', () => {
  it('stores the private key sealed: neither column holds the JWK private member d', async () => {
    await ensureActiveSigningKey(t.db, config, start)
    const [row] = await keyRows(t.db)
    // Opened here with the derived key only to learn d; the app never hands it out.
    const opened = decryptSecret(deriveKey(config.secretKey, 'signing-key'), row.private_key_sealed)
    const privateJwk = JSON.parse(new TextDecoder().decode(opened)) as Record<string, string>

    expect(privateJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String) })
    expect(row.private_key_sealed).toMatch(/^v1\./)
    expect(row.private_key_sealed).not.toContain(privateJwk.d)
    expect(JSON.stringify(row.public_jwk)).not.toContain(privateJwk.d)
    expect(row.public_jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: privateJwk.x })
  })

  it('a server with another secret key cannot unseal it, and says so', async () => {
    const { kid } = await ensureActiveSigningKey(t.db, config, start)
    const other = { secretKey: 'another-server-secret-of-at-least-32-bytes!' }

    const attempt = activeSigningKey(t.db, other, start)

    await expect(attempt).rejects.toBeInstanceOf(SigningKeyUnsealError)
    await expect(attempt).rejects.toThrow(
      `signing key ${kid}: its private key does not open with this FLEETDECK_SECRET_KEY`,
    )
  })

  it('hands out the private key only as a non-extractable CryptoKey', async () => {
    const key = await activeSigningKey(t.db, config, start)

    expect(key.privateKey.extractable).toBe(false)
    expect(key.privateKey.type).toBe('private')
    expect(key.alg).toBe('EdDSA')
  })
})

describe('publicJwks', () => {
  it('publishes the active key as an OKP Ed25519 JWK with kid, alg and use, and no private part', async () => {
    const key = await activeSigningKey(t.db, config, start)

    const { keys } = await publicJwks(t.db, start)

    expect(keys).toHaveLength(1)
    expect(Object.keys(keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x'])
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.kid, alg: 'EdDSA' })
    expect(keys[0].use).toBe('sig')
  })

  it('verifies a JWS signed with the active key (jose createLocalJWKSet)', async () => {
    const token = await signedToken(start)

    const { payload, protectedHeader } = await verifyAt(token, at(1000))

    expect(protectedHeader.kid).toBe((await activeSigningKey(t.db, config, start)).kid)
    expect(payload).toMatchObject({ sub: 'tenant-user-id', act: { sub: 'operator-id' } })
  })

  it('a database with no key yet publishes an empty set (reading the JWKS never creates one)', async () => {
    expect(await publicJwks(t.db, start)).toEqual({ keys: [] })
    expect(await keyRows(t.db)).toEqual([])
  })
})

describe('rotateSigningKey', () => {
  it('retires the active key and publishes old and new kids together within the overlap', async () => {
    const oldKid = (await ensureActiveSigningKey(t.db, config, start)).kid
    const oldToken = await signedToken(start)

    const rotated = await rotateSigningKey(t.db, config, at(DAY))

    expect(rotated).toMatchObject({ ok: true, retiredKid: oldKid })
    const newKid = rotated.ok ? rotated.kid : ''
    expect((await activeSigningKey(t.db, config, at(DAY))).kid).toBe(newKid)
    const published = (await publicJwks(t.db, at(DAY + 1000))).keys.map((k) => k.kid)
    expect(published).toEqual([newKid, oldKid])
    // A token the old key signed just before the rotation still verifies after it.
    expect((await verifyAt(oldToken, at(DAY + 1000))).protectedHeader.kid).toBe(oldKid)
    expect((await verifyAt(await signedToken(at(DAY)), at(DAY))).protectedHeader.kid).toBe(newKid)
  })

  it('a key retired longer ago than the overlap is no longer published, nor verifies', async () => {
    const oldKid = (await ensureActiveSigningKey(t.db, config, start)).kid
    const oldToken = await signedToken(start)
    const rotated = await rotateSigningKey(t.db, config, at(DAY))
    const newKid = rotated.ok ? rotated.kid : ''

    const edge = (await publicJwks(t.db, at(DAY + SIGNING_KEY_OVERLAP_MS - 1))).keys
    const after = (await publicJwks(t.db, at(DAY + SIGNING_KEY_OVERLAP_MS + 1))).keys

    expect(edge.map((k) => k.kid)).toEqual([newKid, oldKid])
    expect(after.map((k) => k.kid)).toEqual([newKid])
    await expect(verifyAt(oldToken, at(DAY + SIGNING_KEY_OVERLAP_MS + 1))).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    })
  })

  it('a retired key stays published for one hour after its rotation, then leaves (issue 10)', async () => {
    const oldKid = (await ensureActiveSigningKey(t.db, config, start)).kid
    await rotateSigningKey(t.db, config, at(DAY))
    const HOUR = 60 * 60 * 1000

    const publishedAt = async (ms: number) =>
      (await publicJwks(t.db, at(ms))).keys.map((k) => k.kid).includes(oldKid)

    expect(SIGNING_KEY_OVERLAP_MS).toBe(HOUR)
    expect(await publishedAt(DAY + 59 * 60 * 1000)).toBe(true)
    expect(await publishedAt(DAY + 61 * 60 * 1000)).toBe(false)
  })

  it('keeps the previous retirements: three keys, one active, each retired at its rotation', async () => {
    const first = (await ensureActiveSigningKey(t.db, config, start)).kid
    const second = await rotateSigningKey(t.db, config, at(DAY))
    const third = await rotateSigningKey(t.db, config, at(2 * DAY))

    expect(third).toMatchObject({ ok: true, retiredKid: second.ok ? second.kid : '' })
    expect((await keyRows(t.db)).map((r) => ({ kid: r.kid, retiredAt: r.retired_at }))).toEqual([
      { kid: first, retiredAt: at(DAY) },
      { kid: second.ok ? second.kid : '', retiredAt: at(2 * DAY) },
      { kid: third.ok ? third.kid : '', retiredAt: null },
    ])
  })

  it('two rotations at once leave exactly one active key and every other one retired', async () => {
    await ensureActiveSigningKey(t.db, config, start)

    const results = await Promise.all([
      rotateSigningKey(t.db, config, at(DAY)),
      rotateSigningKey(t.db, config, at(DAY)),
    ])

    const rows = await keyRows(t.db)
    const active = rows.filter((r) => r.retired_at === null)
    expect(active).toHaveLength(1)
    expect(results.some((r) => r.ok && r.kid === active[0].kid)).toBe(true)
    // A losing rotation leaves nothing behind: every stored key is the first or a winner's.
    const winners = results.flatMap((r) => (r.ok ? [r.kid] : []))
    expect(rows).toHaveLength(1 + winners.length)
  })

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'on a server, waits for the transactions signing under the shared lock, which do not wait for each other',
    async () => {
      const oldKid = (await ensureActiveSigningKey(t.db, config, start)).kid
      let release!: () => void
      const released = new Promise<void>((r) => (release = r))
      const holding: Promise<void>[] = []
      const signers = [0, 1].map(() => {
        let held!: () => void
        holding.push(new Promise<void>((r) => (held = r)))
        return t.db.transaction().execute(async (trx) => {
          await lockSigningKeyShared(trx)
          const kid = (await activeSigningKey(trx, config, start)).kid
          held()
          await released
          return kid
        })
      })
      // Both hold it shared at once: neither waited for the other.
      await Promise.all(holding)
      const waiting = async () =>
        (
          await sql<{ n: number }>`
            select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where not l.granted and a.datname = current_database()`.execute(t.db)
        ).rows[0].n

      let rotated: Awaited<ReturnType<typeof rotateSigningKey>> | undefined
      const rotation = rotateSigningKey(t.db, config, at(DAY)).then((r) => (rotated = r))
      await vi.waitFor(async () => expect(await waiting()).toBe(1), { timeout: 5000, interval: 20 })
      expect(rotated).toBeUndefined()
      expect((await keyRows(t.db)).map((r) => r.retired_at)).toEqual([null])
      release()

      // Both signed with the old key, committed, and only then was it retired.
      expect(await Promise.all(signers)).toEqual([oldKid, oldKid])
      await rotation
      expect(rotated).toMatchObject({ ok: true, retiredKid: oldKid })
    },
  )

  it('retiring is compare-and-set: a key already retired is not retired again', async () => {
    const { kid } = await ensureActiveSigningKey(t.db, config, start)

    expect(await retireSigningKey(t.db, kid, at(DAY))).toBe(true)
    expect(await retireSigningKey(t.db, kid, at(2 * DAY))).toBe(false)
    expect((await keyRows(t.db))[0].retired_at).toEqual(at(DAY))
  })
})

describe('the signing_keys table', () => {
  it('refuses a second active key and a public JWK with a private member', async () => {
    const { kid } = await ensureActiveSigningKey(t.db, config, start)
    const [row] = await keyRows(t.db)
    const copy = {
      public_jwk: JSON.stringify(row.public_jwk),
      private_key_sealed: row.private_key_sealed,
      created_at: start,
    }

    await expect(
      t.db
        .insertInto('signing_keys')
        .values({ ...copy, kid: `${kid}-second` })
        .execute(),
    ).rejects.toThrow(/signing_keys_one_active/)
    await expect(
      t.db
        .insertInto('signing_keys')
        .values({
          ...copy,
          kid: `${kid}-leaky`,
          public_jwk: JSON.stringify({ ...(row.public_jwk as object), d: 'secret' }),
          retired_at: start,
        })
        .execute(),
    ).rejects.toThrow(/public_jwk/)
  })
})
