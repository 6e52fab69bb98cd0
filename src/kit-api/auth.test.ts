import { describe, expect, it } from 'vitest'
import { setGlobalAllowlist } from '../db/settings.js'
import { createAppKey } from '../test-support/factories.js'
import { OUTSIDE_IP, send } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { KIT_AUTH_FAILURES_PER_MINUTE } from './auth.js'

// The kit API's door (issue 8 item 3): app keys as bearer tokens, JSON problems for every
// refusal, no cookies, outside the operator IP allowlist.

const t = useTestApp()

function kit(path: string, token?: string, ip?: string) {
  return send(t.app, 'GET', `/kit/v1${path}`, {
    ip,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
}

describe('kit API authentication', () => {
  it('refuses a call without an app key with a 401 problem and a Bearer challenge', async () => {
    const res = await kit('/nothing-here')

    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect(await res.json()).toMatchObject({ status: 401, code: 'unauthorized' })
  })

  it('refuses a malformed key, a wrong secret and a revoked key alike', async () => {
    const { key, token } = await createAppKey(t.db)
    const wrongSecret = token.replace(/\.[a-z2-7]+$/, '.' + 'a'.repeat(32))
    for (const bad of ['fdk_nope', wrongSecret, 'Basic abc', token.slice(4)]) {
      expect((await kit('/x', bad)).status).toBe(401)
    }
    expect((await kit('/x', token)).status).toBe(404)
    await t.db
      .updateTable('app_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', key.id)
      .execute()
    expect((await kit('/x', token)).status).toBe(401)
  })

  it('a valid key reaches the API and records when it was last used', async () => {
    const { key, token } = await createAppKey(t.db)

    const res = await kit('/nothing-here', token)

    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'not_found' })
    const row = await t.db
      .selectFrom('app_keys')
      .select('last_used_at')
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(row.last_used_at).not.toBeNull()
  })

  it('answers outside the operator IP allowlist: tenant apps call from their own servers', async () => {
    const { owner } = await t.signedInOwner()
    const { token } = await createAppKey(t.db)
    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, ['203.0.113.0/24'], owner.admin.id, new Date()))
    try {
      expect((await kit('/x', token, OUTSIDE_IP)).status).toBe(404)
    } finally {
      await t.db
        .transaction()
        .execute((trx) => setGlobalAllowlist(trx, [], owner.admin.id, new Date()))
    }
  })

  it('refuses an address after too many failed authentications in a minute', async () => {
    const { token } = await createAppKey(t.db)
    const ip = '198.51.100.77'
    for (let i = 0; i < KIT_AUTH_FAILURES_PER_MINUTE; i++) {
      expect((await kit('/x', 'fdk_wrong', ip)).status).toBe(401)
    }
    const res = await kit('/x', 'fdk_wrong', ip)
    expect(res.status).toBe(429)
    expect(await res.json()).toMatchObject({ code: 'rate_limited' })
    // A good key from another address is unaffected.
    expect((await kit('/x', token, '198.51.100.78')).status).toBe(404)
  })
})
