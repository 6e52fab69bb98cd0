import { createLocalJWKSet, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { activeSigningKey, rotateSigningKey } from '../auth/signing-keys.js'
import { setGlobalAllowlist } from '../db/settings.js'
import { auditEntries } from '../test-support/database-state.js'
import { getPage, OPERATOR_IP, OUTSIDE_IP, send } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// GET /.well-known/jwks.json (issue 8 item 1): the public keys tenant apps verify impersonation
// handoffs with — public key material, so no session, no allowlist, and cacheable for a minute.

const t = useTestApp()

async function fetchJwks(ip?: string): Promise<{ res: Response; body: JSONWebKeySet }> {
  const res = await send(t.app, 'GET', '/.well-known/jwks.json', { ip })
  return { res, body: (await res.clone().json()) as JSONWebKeySet }
}

describe('GET /.well-known/jwks.json', () => {
  afterEach(async () => {
    const { owner } = await t.signedInOwner()
    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, [], owner.admin.id, new Date()))
  })

  it('answers without a session: JSON, cacheable for 60 s, public members only (no d)', async () => {
    const key = await activeSigningKey(t.db, t.config, new Date(t.clock.now()))

    const { res, body } = await fetchJwks()

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toBe('public, max-age=60')
    expect(body.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: key.kid, alg: 'EdDSA', use: 'sig' },
    ])
    expect(body.keys.every((k) => !('d' in k))).toBe(true)
    expect(await res.text()).not.toMatch(/"d"/)
  })

  it('a JWS signed with the active key verifies against the served JWKS', async () => {
    const key = await activeSigningKey(t.db, t.config, new Date(t.clock.now()))
    const token = await new SignJWT({ act: { sub: 'operator-id', email: 'ops@example.com' } })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setSubject('tenant-user-id')
      .setExpirationTime(Math.floor(t.clock.now() / 1000) + 60)
      .sign(key.privateKey)

    const { body } = await fetchJwks()
    const { payload } = await jwtVerify(token, createLocalJWKSet(body), {
      algorithms: ['EdDSA'],
      currentDate: new Date(t.clock.now()),
    })

    expect(payload).toMatchObject({ sub: 'tenant-user-id', act: { sub: 'operator-id' } })
  })

  it('publishes the old and the new kid after a rotation', async () => {
    const before = await activeSigningKey(t.db, t.config, new Date(t.clock.now()))

    const rotated = await rotateSigningKey(t.db, t.config, new Date(t.clock.now()))
    const { body } = await fetchJwks()

    expect(rotated.ok).toBe(true)
    const kids = body.keys.map((k) => k.kid)
    expect(kids[0]).toBe(rotated.ok ? rotated.kid : undefined)
    expect(kids).toContain(before.kid)
  })

  it('is served to an address outside the operator IP allowlist, while /login is refused', async () => {
    const { owner } = await t.signedInOwner()
    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, [`${OPERATOR_IP}/32`], owner.admin.id, new Date()))

    const { res, body } = await fetchJwks(OUTSIDE_IP)
    const login = await send(t.app, 'GET', '/login', { ip: OUTSIDE_IP })

    expect(res.status).toBe(200)
    expect(body.keys.length).toBeGreaterThan(0)
    expect(login.status).toBe(403)
    const refused = (await auditEntries(t.db, 'security.ip_refused')).map(
      (e) => (e.after as { path: string }).path,
    )
    expect(refused).toContain('/login')
    expect(refused).not.toContain('/.well-known/jwks.json')
  })

  it('is not a page: no session cookie is needed or set, and the console stays guarded', async () => {
    const res = await getPage(t.app, '/.well-known/jwks.json')
    const console = await getPage(t.app, '/tenants')

    expect(res.headers.get('set-cookie')).toBeNull()
    expect(console.status).not.toBe(200)
  })
})
