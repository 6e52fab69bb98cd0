import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createSuperAdmin,
  createTestApp,
  createTestAppWith,
  postForm,
  signIn,
  signInWithPasswordOnly,
  totpCode,
  type TestAdmin,
  type TestApp,
} from '../test-support/factories.js'
import { freePort, startServerProcess } from '../test-support/processes.js'
import { deriveKey, encryptSecret } from './encryption.js'
import { checkSecretKey, SecretKeyMismatchError } from './key-check.js'
import { generateTotpKey } from './totp.js'

// Issue 6 item 11: a server started with another FLEETDECK_SECRET_KEY on the same database.

let t: TestApp
/** The same database and clock, served with another key. */
let otherKey: TestApp

beforeAll(async () => {
  t = await createTestApp()
  otherKey = await createTestAppWith({ FLEETDECK_SECRET_KEY: 'y'.repeat(40) }, t)
})
afterAll(() => t?.close())

async function clearKeyCheck() {
  await sql`delete from settings where key = 'secret_key_check'`.execute(t.db)
}

async function totpState(admin: TestAdmin) {
  const row = await t.db
    .selectFrom('super_admins')
    .select(['failed_totp_count', 'locked_until'])
    .where('id', '=', admin.admin.id)
    .executeTakeFirstOrThrow()
  const refusals = await t.db
    .selectFrom('sign_in_attempts')
    .select('outcome')
    .where('super_admin_id', '=', admin.admin.id)
    .where('outcome', 'in', ['bad_totp', 'locked', 'totp_replayed'])
    .execute()
  return {
    failures: row.failed_totp_count,
    lockedUntil: row.locked_until,
    refusals: refusals.length,
  }
}

describe('the start-up secret key check', () => {
  beforeEach(clearKeyCheck)

  it('stores a sealed value at the first start and verifies it at the next', async () => {
    expect(await checkSecretKey(t.db, t.config.secretKey, new Date())).toBe('stored')
    const { rows } = await sql<{ value: unknown }>`
      select value from settings where key = 'secret_key_check'`.execute(t.db)
    expect(rows[0].value).toMatch(/^v1\./)
    expect(await checkSecretKey(t.db, t.config.secretKey, new Date())).toBe('verified')
  })

  it('refuses another key with one line that names FLEETDECK_SECRET_KEY', async () => {
    await checkSecretKey(t.db, t.config.secretKey, new Date())
    const refused = await checkSecretKey(t.db, 'z'.repeat(40), new Date()).catch((e) => e)
    expect(refused).toBeInstanceOf(SecretKeyMismatchError)
    expect(refused.message).toMatch(
      /^secret key: FLEETDECK_SECRET_KEY does not match the key this database was set up with/,
    )
    expect(refused.message).not.toContain('\n')
  })

  it('refuses another key on a database set up before the check, by one stored TOTP secret', async () => {
    await createSuperAdmin(t.db, t.config)
    await expect(checkSecretKey(t.db, 'z'.repeat(40), new Date())).rejects.toThrow(
      SecretKeyMismatchError,
    )
    // Nothing is stored for a key that was refused.
    const { rows } = await sql`select 1 from settings where key = 'secret_key_check'`.execute(t.db)
    expect(rows).toHaveLength(0)
  })
})

describe('a TOTP secret the server cannot decrypt', () => {
  const quiet = () => vi.spyOn(console, 'error').mockImplementation(() => {})

  it('is a 500 at sign-in that does not count as a failed code', async () => {
    const admin = await createSuperAdmin(t.db, t.config)
    const half = await signInWithPasswordOnly(otherKey.app, admin)
    const spy = quiet()
    for (let i = 0; i < 6; i++) {
      const res = await postForm(
        otherKey.app,
        '/login/totp',
        { code: totpCode(admin.totpKey, t.clock.now()) },
        half,
      )
      expect(res.status).toBe(500)
      expect(await res.text()).toContain('id="request-id"')
    }
    spy.mockRestore()
    expect(await totpState(admin)).toEqual({ failures: 0, lockedUntil: null, refusals: 0 })
  })

  it('is a 500 at step-up that does not count as a failed code', async () => {
    const admin = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, admin, t.clock)
    const spy = quiet()
    const res = await postForm(
      otherKey.app,
      '/step-up',
      { code: totpCode(admin.totpKey, t.clock.now()) },
      cookie,
    )
    spy.mockRestore()
    expect(res.status).toBe(500)
    expect(await totpState(admin)).toEqual({ failures: 0, lockedUntil: null, refusals: 0 })
  })

  it('is a 500 at enrolment that does not count as a failed code', async () => {
    const admin = await createSuperAdmin(t.db, t.config)
    const pendingKey = generateTotpKey()
    await t.db
      .updateTable('super_admins')
      .set({
        mfa_enabled: false,
        totp_secret_encrypted: encryptSecret(
          deriveKey(t.config.secretKey, 'totp-secret'),
          pendingKey,
        ),
      })
      .where('id', '=', admin.admin.id)
      .execute()
    const half = await signInWithPasswordOnly(otherKey.app, admin)
    const spy = quiet()
    const res = await postForm(
      otherKey.app,
      '/enrol/totp',
      { code: totpCode(pendingKey, t.clock.now()) },
      half,
    )
    spy.mockRestore()
    expect(res.status).toBe(500)
    expect(await totpState(admin)).toEqual({ failures: 0, lockedUntil: null, refusals: 0 })
  })
})

describe('a server started with another key on the same database', () => {
  it('refuses to start with one line and exit code 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-key-'))
    try {
      const env = { FLEETDECK_DATA_DIR: dataDir, PORT: String(await freePort()) }
      const first = await startServerProcess({ ...env, FLEETDECK_SECRET_KEY: 'a'.repeat(40) })
      expect(first.output()).toContain('listening')
      await first.stop()

      const second = await startServerProcess({ ...env, FLEETDECK_SECRET_KEY: 'b'.repeat(40) })

      expect(await second.exited).toBe(1)
      const errors = second
        .output()
        .split('\n')
        .filter((line) => line.startsWith('secret key:') || line.includes('    at '))
      expect(errors).toEqual([
        'secret key: FLEETDECK_SECRET_KEY does not match the key this database was set up with (it cannot decrypt the stored secrets); start with the original key',
      ])
      expect(second.output()).not.toContain('listening')
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 180_000)
})
