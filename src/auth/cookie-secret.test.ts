import { beforeEach, describe, expect, it } from 'vitest'
import { findCookieSecret, replaceCookieSecret } from '../db/cookie-secret.js'
import { invalidateSettingsCache } from '../db/settings.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { cookieSigningKey, ensureCookieSecret, newCookieSecret } from './cookie-secret.js'
import { deriveKey } from './encryption.js'

// The rotatable cookie secret (issue 10 item 6): made once at start, mixed into the HMAC key of
// every signed cookie, and a new key for every cookie once it is replaced.

const t = useTestDatabase()
const config = { secretKey: 'a-long-random-server-secret-of-at-least-32-bytes' }
const now = new Date('2026-12-01T10:00:00Z')
const at = now.getTime()

beforeEach(async () => {
  await t.db.deleteFrom('settings').where('key', '=', 'cookie_secret').execute()
  invalidateSettingsCache()
})

describe('the cookie secret', () => {
  it('without one stored, cookies are signed with the key derived from FLEETDECK_SECRET_KEY alone', async () => {
    const key = await cookieSigningKey(t.db, config.secretKey, 'flash-cookie', at)

    expect(key).toBe(deriveKey(config.secretKey, 'flash-cookie').toString('base64'))
  })

  it('is made once: a second start keeps the first, stored sealed', async () => {
    expect(await ensureCookieSecret(t.db, config, now)).toEqual({ created: true })
    const first = await findCookieSecret(t.db)

    expect(await ensureCookieSecret(t.db, config, now)).toEqual({ created: false })
    expect(await findCookieSecret(t.db)).toEqual(first)
    expect(first).toEqual({ sealed: expect.stringMatching(/^v1\./), createdAt: now.toISOString() })
  })

  it('two starts at once store one secret', async () => {
    const results = await Promise.all([
      ensureCookieSecret(t.db, config, now),
      ensureCookieSecret(t.db, config, now),
    ])

    expect(results.filter((r) => r.created).length).toBeLessThanOrEqual(1)
    expect(await findCookieSecret(t.db)).toBeDefined()
  })

  it('gives each purpose its own key, and every key changes when the secret is replaced', async () => {
    await ensureCookieSecret(t.db, config, now)
    invalidateSettingsCache()
    const scope = await cookieSigningKey(t.db, config.secretKey, 'scope-cookie', at)
    const flash = await cookieSigningKey(t.db, config.secretKey, 'flash-cookie', at)

    await replaceCookieSecret(t.db, newCookieSecret(config, now), null, now)
    invalidateSettingsCache()

    expect(scope).not.toBe(flash)
    expect(scope).not.toBe(deriveKey(config.secretKey, 'scope-cookie').toString('base64'))
    expect(await cookieSigningKey(t.db, config.secretKey, 'scope-cookie', at)).not.toBe(scope)
    expect(await cookieSigningKey(t.db, config.secretKey, 'flash-cookie', at)).not.toBe(flash)
  })

  it('another instance sees a new secret once its cached settings expire (SETTINGS_TTL_MS)', async () => {
    await ensureCookieSecret(t.db, config, now)
    invalidateSettingsCache()
    const before = await cookieSigningKey(t.db, config.secretKey, 'scope-cookie', at)

    // Written behind this process's back: no invalidation, as on another instance.
    await replaceCookieSecret(t.db, newCookieSecret(config, now), null, now)

    expect(await cookieSigningKey(t.db, config.secretKey, 'scope-cookie', at + 1000)).toBe(before)
    expect(await cookieSigningKey(t.db, config.secretKey, 'scope-cookie', at + 6000)).not.toBe(
      before,
    )
  })

  it('a secret sealed with another FLEETDECK_SECRET_KEY is refused loudly, not trusted', async () => {
    await ensureCookieSecret(t.db, { secretKey: 'another-server-secret-of-at-least-32-bytes' }, now)
    invalidateSettingsCache()

    await expect(cookieSigningKey(t.db, config.secretKey, 'scope-cookie', at)).rejects.toThrow(
      /does not open with this FLEETDECK_SECRET_KEY/,
    )
  })
})
