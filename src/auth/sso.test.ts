import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { githubVerifiedEmail, verifyIdToken } from './sso.js'

// ID token validation (OIDC Core 1.0 §3.1.3.7) with a key pair of the test's own; the route
// tests run the same checks against a real provider.

const ISSUER = 'https://idp.example'
const CLIENT = 'fleetdeck'
const NONCE = 'n-0123456789'
const NOW = new Date('2026-12-01T12:00:00Z')
const seconds = (d: Date) => Math.floor(d.getTime() / 1000)

let privateKey: CryptoKey
let jwks: ReturnType<typeof createLocalJWKSet>

beforeAll(async () => {
  const pair = await generateKeyPair('RS256')
  privateKey = pair.privateKey
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1' }] })
})

function token(claims: JWTPayload = {}, o: { issuer?: string; exp?: number } = {}) {
  return new SignJWT({ nonce: NONCE, email: 'ada@example.com', email_verified: true, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(o.issuer ?? ISSUER)
    .setAudience((claims.aud as string | string[]) ?? CLIENT)
    .setSubject('user-1')
    .setIssuedAt(seconds(NOW) - 10)
    .setExpirationTime(o.exp ?? seconds(NOW) + 300)
    .sign(privateKey)
}

const verify = async (idToken: string, entra = false) =>
  verifyIdToken(idToken, { issuer: ISSUER, clientId: CLIENT, nonce: NONCE, jwks, now: NOW, entra })

describe('verifyIdToken', () => {
  it('returns the verified email of a valid token', async () => {
    expect(await verify(await token())).toEqual({
      ok: true,
      email: 'ada@example.com',
      subject: 'user-1',
    })
  })

  it('refuses an expired token (beyond the clock tolerance)', async () => {
    const result = await verify(await token({}, { exp: seconds(NOW) - 120 }))
    expect(result).toMatchObject({ ok: false, reason: 'invalid_id_token' })
  })

  it('accepts a token expired within the 60-second clock tolerance', async () => {
    expect((await verify(await token({}, { exp: seconds(NOW) - 30 }))).ok).toBe(true)
  })

  it('refuses a token from another issuer', async () => {
    const result = await verify(await token({}, { issuer: 'https://evil.example' }))
    expect(result).toMatchObject({ ok: false, reason: 'invalid_id_token' })
  })

  it('refuses a token for another audience, and several audiences without our azp', async () => {
    expect(await verify(await token({ aud: 'someone-else' }))).toMatchObject({ ok: false })
    expect(await verify(await token({ aud: [CLIENT, 'other'] }))).toMatchObject({
      ok: false,
      reason: 'invalid_id_token',
    })
    expect((await verify(await token({ aud: [CLIENT, 'other'], azp: CLIENT }))).ok).toBe(true)
  })

  it('refuses a token signed by another key, or with HMAC', async () => {
    const other = await generateKeyPair('RS256')
    const forged = await new SignJWT({ nonce: NONCE, email: 'a@b.c', email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT)
      .setSubject('x')
      .setIssuedAt(seconds(NOW))
      .setExpirationTime(seconds(NOW) + 300)
      .sign(other.privateKey)
    expect(await verify(forged)).toMatchObject({ ok: false, reason: 'invalid_id_token' })
    const hmac = await new SignJWT({ nonce: NONCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT)
      .setSubject('x')
      .setIssuedAt(seconds(NOW))
      .setExpirationTime(seconds(NOW) + 300)
      .sign(new TextEncoder().encode('a shared secret of 32 bytes!!!!'))
    expect(await verify(hmac)).toMatchObject({ ok: false, reason: 'invalid_id_token' })
  })

  it('refuses a nonce other than the stored one', async () => {
    expect(await verify(await token({ nonce: 'other' }))).toEqual({
      ok: false,
      reason: 'nonce_mismatch',
    })
  })

  it('refuses an unverified or missing email', async () => {
    expect(await verify(await token({ email_verified: false }))).toMatchObject({
      reason: 'email_unverified',
    })
    expect(await verify(await token({ email_verified: 'true' }))).toMatchObject({
      reason: 'email_unverified',
    })
    expect(await verify(await token({ email: undefined }))).toMatchObject({ reason: 'no_email' })
  })

  it('takes xms_edov as proof for Microsoft Entra ID only', async () => {
    const entra = await token({ email_verified: undefined, xms_edov: true })
    expect((await verify(entra, true)).ok).toBe(true)
    expect(await verify(entra, false)).toMatchObject({ reason: 'email_unverified' })
    const none = await token({ email_verified: undefined })
    expect(await verify(none, true)).toMatchObject({ reason: 'email_unverified' })
  })
})

describe('githubVerifiedEmail', () => {
  async function withEmails(emails: unknown, run: (base: string) => Promise<void>) {
    let auth: string | undefined
    const server = createServer((req, res) => {
      auth = req.headers.authorization
      res.setHeader('content-type', 'application/json')
      res.end(req.url === '/user/emails' ? JSON.stringify(emails) : '{}')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
      expect(auth).toBe('Bearer gho_token')
    } finally {
      server.close()
    }
  }

  it('returns the primary email when GitHub marks it verified', async () => {
    await withEmails(
      [
        { email: 'other@example.com', primary: false, verified: true },
        { email: 'ada@example.com', primary: true, verified: true },
      ],
      async (base) => {
        expect(await githubVerifiedEmail('gho_token', base)).toMatchObject({
          ok: true,
          email: 'ada@example.com',
        })
      },
    )
  })

  it('refuses an unverified primary email, even with another verified one', async () => {
    await withEmails(
      [
        { email: 'ada@example.com', primary: true, verified: false },
        { email: 'verified@example.com', primary: false, verified: true },
      ],
      async (base) => {
        expect(await githubVerifiedEmail('gho_token', base)).toMatchObject({
          ok: false,
          reason: 'email_unverified',
        })
      },
    )
  })
})
