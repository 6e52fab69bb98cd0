import { decodeBase32IgnorePadding } from '@oslojs/encoding'
import { describe, expect, it, vi } from 'vitest'
import { decoyPasswordHash, verifyPassword } from '../auth/password.js'
import { IP_FAILURE_LIMIT, SIGN_IN_FAILED } from '../auth/sign-in.js'
import {
  auditEntries,
  auditEntriesFor,
  countRows,
  lockoutCounters,
  sessionRow,
  signInOutcomes,
  superAdminRow,
} from '../test-support/database-state.js'
import { createSuperAdmin, totpCode, wrongTotpCode } from '../test-support/factories.js'
import { alertText } from '../test-support/html.js'
import {
  cookieFrom,
  login,
  send,
  signIn,
  signInWithPasswordOnly,
} from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Every password check goes through the real argon2 verify; the spy only counts the calls.
vi.mock('../auth/password.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../auth/password.js')>()
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) }
})

// Issue #3 end to end, the sign-in side: account lockout, the per-address limit on failures and
// TOTP replay, each shown refusing through app.request() with the database checked afterwards.

const t = useTestApp()

const MINUTE = 60_000

/** The test clock plus `ms`, as the database stores it. */
function fromNow(ms: number): Date {
  return new Date(t.clock.now() + ms)
}

describe('account lockout', () => {
  it('five wrong passwords lock the account for 15 minutes; every failure and the lock are audited', async () => {
    const ada = await createSuperAdmin(t.db, t.config)

    const statuses = []
    for (let i = 0; i < 5; i++)
      statuses.push((await login(t.app, ada, { password: 'wrong' })).status)

    expect(statuses).toEqual([401, 401, 401, 401, 401])
    expect(await lockoutCounters(t.db, ada)).toEqual({
      failed_password_count: 5,
      failed_totp_count: 0,
      locked_until: fromNow(15 * MINUTE),
    })
    expect(await auditEntriesFor(t.db, 'auth.login.failed', ada)).toHaveLength(5)
    const locks = await auditEntriesFor(t.db, 'auth.lockout', ada)
    expect(locks.map((e) => e.after)).toEqual([
      { kind: 'password', failures: 5, lockedUntil: fromNow(15 * MINUTE).toISOString() },
    ])
  })

  it('a locked account refuses the right password like a wrong one, opens no session, and audits it', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 5; i++) await login(t.app, ada, { password: 'wrong' })
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const res = await login(t.app, ada)

    expect(res.status).toBe(401)
    expect(alertText(await res.text())).toBe(SIGN_IN_FAILED)
    expect(cookieFrom(res)).toBeUndefined()
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore)
    expect((await auditEntriesFor(t.db, 'auth.login.locked', ada)).map((e) => e.after)).toEqual([
      { email: ada.admin.email, outcome: 'locked' },
    ])
    expect(await signInOutcomes(t.db, ada)).toEqual([...Array(5).fill('bad_password'), 'locked'])
  })

  it('after 15 minutes the account unlocks and the right password resets the counter', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 5; i++) await login(t.app, ada, { password: 'wrong' })

    t.clock.advance(15 * MINUTE - 1000)
    expect((await lockoutCounters(t.db, ada)).locked_until!.getTime()).toBeGreaterThan(
      t.clock.now(),
    )
    t.clock.advance(1000)
    const onTime = await login(t.app, ada)

    expect(onTime.status).toBe(303)
    expect(onTime.headers.get('location')).toBe('/login/totp')
    expect(await lockoutCounters(t.db, ada)).toMatchObject({
      failed_password_count: 0,
      locked_until: null,
    })
  })

  it('attempts during a lock are refused and still counted: the tenth locks for an hour', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 5; i++) await login(t.app, ada, { password: 'wrong' })
    const duringLock = []
    for (let i = 0; i < 4; i++)
      duringLock.push((await login(t.app, ada, { password: 'wrong' })).status)
    expect(await lockoutCounters(t.db, ada)).toEqual({
      failed_password_count: 9,
      failed_totp_count: 0,
      locked_until: fromNow(15 * MINUTE),
    })

    // The tenth attempt is the right password, but it arrives during the lock: refused, counted.
    const tenth = await login(t.app, ada)

    expect([...duringLock, tenth.status]).toEqual(Array(5).fill(401))
    expect(await lockoutCounters(t.db, ada)).toEqual({
      failed_password_count: 10,
      failed_totp_count: 0,
      locked_until: fromNow(60 * MINUTE),
    })
    expect(
      (await auditEntriesFor(t.db, 'auth.lockout', ada)).map(
        (e) => (e.after as { failures: number }).failures,
      ),
    ).toEqual([5, 10])
    t.clock.advance(60 * MINUTE)
    expect((await login(t.app, ada)).status).toBe(303)
  })

  it('wrong TOTP codes are counted apart from wrong passwords; the fifth locks and ends the half session', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const half = await signInWithPasswordOnly(t.app, ada)
    const wrong = () => ({ code: wrongTotpCode(ada.totpKey, t.clock.now()) })
    for (let i = 0; i < 4; i++) {
      expect(
        (await send(t.app, 'POST', '/login/totp', { fields: wrong(), cookie: half })).status,
      ).toBe(401)
    }
    for (let i = 0; i < 4; i++) await login(t.app, ada, { password: 'wrong' })
    expect(await lockoutCounters(t.db, ada)).toEqual({
      failed_password_count: 4,
      failed_totp_count: 4,
      locked_until: null,
    })

    const fifth = await send(t.app, 'POST', '/login/totp', { fields: wrong(), cookie: half })

    expect(fifth.status).toBe(401)
    expect(alertText(await fifth.text())).toBe(SIGN_IN_FAILED)
    expect(fifth.headers.getSetCookie().join()).toMatch(/fleetdeck_session=;/)
    expect(await sessionRow(t.db, half)).toBeUndefined()
    expect((await lockoutCounters(t.db, ada)).locked_until).toEqual(fromNow(15 * MINUTE))
    expect((await auditEntriesFor(t.db, 'auth.lockout', ada)).map((e) => e.after)).toEqual([
      { kind: 'totp', failures: 5, lockedUntil: fromNow(15 * MINUTE).toISOString() },
    ])
    expect((await login(t.app, ada)).status).toBe(401)
  })

  it('a successful sign-in resets both counters, so later failures start again from one', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 4; i++) await login(t.app, ada, { password: 'wrong' })
    t.clock.advance(30_000)
    const half = await signInWithPasswordOnly(t.app, ada)
    for (let i = 0; i < 4; i++) {
      const code = wrongTotpCode(ada.totpKey, t.clock.now())
      await send(t.app, 'POST', '/login/totp', { fields: { code }, cookie: half })
    }

    const ok = await send(t.app, 'POST', '/login/totp', {
      fields: { code: totpCode(ada.totpKey, t.clock.now()) },
      cookie: half,
    })
    for (let i = 0; i < 4; i++) await login(t.app, ada, { password: 'wrong' })

    expect(ok.status).toBe(303)
    expect(await lockoutCounters(t.db, ada)).toEqual({
      failed_password_count: 4,
      failed_totp_count: 0,
      locked_until: null,
    })
  })

  it('twenty wrong passwords sent in parallel count as twenty and lock the account for 24 hours', async () => {
    const ada = await createSuperAdmin(t.db, t.config)

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => login(t.app, ada, { password: 'wrong', ip: '192.0.2.20' })),
    )

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(401))
    expect(await lockoutCounters(t.db, ada)).toEqual({
      failed_password_count: 20,
      failed_totp_count: 0,
      locked_until: fromNow(24 * 60 * MINUTE),
    })
    const locks = await auditEntriesFor(t.db, 'auth.lockout', ada)
    expect(
      locks.map((e) => (e.after as { failures: number }).failures).sort((a, b) => a - b),
    ).toEqual([5, 10, 20])
  })

  it('parallel guessing cannot outrun the lock: of 25 wrong passwords and the right one, at most five are checked', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    // 26 attempts stay under the per-address limit, so only the account lock is at work.
    const guesses = [...Array(25).fill('wrong'), ada.password]

    const responses = await Promise.all(
      guesses.map((password) => login(t.app, ada, { password, ip: '192.0.2.31' })),
    )

    const outcomes = await signInOutcomes(t.db, ada)
    const checked = outcomes.filter((o) => o !== 'locked')
    expect(checked.length).toBeLessThanOrEqual(5)
    expect(outcomes).toHaveLength(26 - responses.filter((r) => r.status === 303).length)
    // The right password got in only if it was among the five admitted attempts.
    const admittedRight = responses.filter((r) => r.status === 303).length
    expect(admittedRight + checked.filter((o) => o === 'bad_password').length).toBeLessThanOrEqual(
      5,
    )
  })

  it('parallel TOTP guessing cannot outrun the lock either: at most five codes are checked', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const half = await signInWithPasswordOnly(t.app, ada)
    const codes = [
      ...Array.from({ length: 25 }, () => wrongTotpCode(ada.totpKey, t.clock.now())),
      totpCode(ada.totpKey, t.clock.now()),
    ]

    const responses = await Promise.all(
      codes.map((code) => send(t.app, 'POST', '/login/totp', { fields: { code }, cookie: half })),
    )

    const totpOutcomes = (await signInOutcomes(t.db, ada)).filter(
      (o) => o === 'bad_totp' || o === 'locked' || o === 'success',
    )
    // A pass is a redirect into the console; once the fifth failure has ended the half session,
    // the requests still in line are sent back to /login (303 too), unchecked.
    const passed = responses.filter(
      (r) => r.status === 303 && !r.headers.get('location')?.startsWith('/login'),
    ).length
    expect(totpOutcomes.filter((o) => o === 'bad_totp').length + passed).toBeLessThanOrEqual(5)
  })

  it('unknown email, wrong password, locked and inactive accounts get the same status and page, each after a password hash check', async () => {
    const wrong = await createSuperAdmin(t.db, t.config)
    const locked = await createSuperAdmin(t.db, t.config)
    const inactive = await createSuperAdmin(t.db, t.config, { isActive: false })
    await t.db
      .updateTable('super_admins')
      .set({ locked_until: fromNow(15 * MINUTE) })
      .where('id', '=', locked.admin.id)
      .execute()
    const spy = vi.mocked(verifyPassword)
    spy.mockClear()

    const cases = [
      { email: 'nobody-here@example.com', password: 'whatever it is' },
      { email: wrong.admin.email, password: 'not the password' },
      { email: locked.admin.email, password: locked.password },
      { email: inactive.admin.email, password: inactive.password },
    ]
    const pages = []
    for (const fields of cases) {
      const res = await send(t.app, 'POST', '/login', { fields })
      pages.push({
        status: res.status,
        cookie: cookieFrom(res),
        body: (await res.text()).replaceAll(fields.email, '<email>'),
      })
    }

    expect(new Set(pages.map((p) => JSON.stringify(p))).size).toBe(1)
    expect(pages[0].status).toBe(401)
    expect(pages[0].cookie).toBeUndefined()
    expect(alertText(pages[0].body)).toBe(SIGN_IN_FAILED)
    expect(spy.mock.calls.map(([hash]) => hash)).toEqual([
      await decoyPasswordHash(),
      (await superAdminRow(t.db, wrong)).password_hash,
      (await superAdminRow(t.db, locked)).password_hash,
      (await superAdminRow(t.db, inactive)).password_hash,
    ])
  })

  it('an unknown email takes about as long as a wrong password: both wait for argon2', async () => {
    // Medians of interleaved runs, with bounds far wider than the noise: this shows that no
    // path skips the hash, not a precise timing.
    const ada = await createSuperAdmin(t.db, t.config)
    const time = async (work: () => Promise<unknown>) => {
      const start = performance.now()
      await work()
      return performance.now() - start
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const realHash = (await superAdminRow(t.db, ada)).password_hash!
    const runs = { unknown: [] as number[], wrong: [] as number[], argon2: [] as number[] }
    await login(t.app, ada, { password: 'warm-up' })

    for (let i = 0; i < 7; i++) {
      await t.db
        .updateTable('super_admins')
        .set({ failed_password_count: 0 })
        .where('id', '=', ada.admin.id)
        .execute()
      runs.unknown.push(
        await time(() =>
          send(t.app, 'POST', '/login', {
            fields: { email: `nobody${i}@example.com`, password: 'x' },
          }),
        ),
      )
      runs.wrong.push(await time(() => login(t.app, ada, { password: 'wrong' })))
      runs.argon2.push(await time(() => verifyPassword(realHash, 'wrong')))
    }

    const [unknown, wrong, argon2] = [median(runs.unknown), median(runs.wrong), median(runs.argon2)]
    expect(unknown).toBeGreaterThan(argon2 * 0.5)
    expect(wrong).toBeGreaterThan(argon2 * 0.5)
    expect(unknown / wrong).toBeGreaterThan(1 / 3)
    expect(unknown / wrong).toBeLessThan(3)
  })
})

describe('the per-address limit on failed sign-ins', () => {
  it(`after ${IP_FAILURE_LIMIT} failures in 15 minutes an address gets 429, even with a right password, while others still sign in`, async () => {
    const ip = '192.0.2.30'
    const ada = await createSuperAdmin(t.db, t.config)
    t.clock.set(Math.ceil(t.clock.now() / (15 * MINUTE)) * 15 * MINUTE)
    for (let i = 0; i < IP_FAILURE_LIMIT; i++) {
      const fields = { email: `stranger${i}@example.com`, password: 'guess' }
      expect((await send(t.app, 'POST', '/login', { fields, ip })).status).toBe(401)
    }
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const refused = await login(t.app, ada, { ip })
    const elsewhere = await login(t.app, ada, { ip: '192.0.2.31' })

    expect(refused.status).toBe(429)
    expect(alertText(await refused.text())).toMatch(/^Too many failed sign-ins from your address/)
    expect(cookieFrom(refused)).toBeUndefined()
    expect(elsewhere.status).toBe(303)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore + 1)
    const limited = (await auditEntries(t.db, 'auth.login.rate_limited')).at(-1)
    expect(limited).toMatchObject({
      ip,
      after: { email: ada.admin.email, outcome: 'rate_limited' },
    })
    expect(await lockoutCounters(t.db, ada)).toMatchObject({
      failed_password_count: 0,
      locked_until: null,
    })

    t.clock.advance(15 * MINUTE)
    expect((await login(t.app, ada, { ip })).status).toBe(303)
  })

  it('a burst of parallel failures from one address cannot slip past the limit', async () => {
    const ip = '192.0.2.40'
    const admins = await Promise.all(
      Array.from({ length: 8 }, () => createSuperAdmin(t.db, t.config)),
    )
    t.clock.set(Math.ceil(t.clock.now() / (15 * MINUTE)) * 15 * MINUTE)

    const responses = await Promise.all(
      admins.flatMap((who) =>
        Array.from({ length: 5 }, () => login(t.app, who, { password: 'wrong', ip })),
      ),
    )

    const statuses = responses.map((r) => r.status).sort()
    expect(statuses).toEqual([
      ...Array(IP_FAILURE_LIMIT).fill(401),
      ...Array(40 - IP_FAILURE_LIMIT).fill(429),
    ])
    const counted = await Promise.all(
      admins.map(async (who) => (await lockoutCounters(t.db, who)).failed_password_count),
    )
    expect(counted.reduce((a, b) => a + b, 0)).toBe(IP_FAILURE_LIMIT)
  })
})

describe('TOTP codes', () => {
  it('a replayed code is refused and audited, and the admin is told once, at the next sign-in', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    await signIn(t.app, ada, t.clock)
    const used = totpCode(ada.totpKey, t.clock.now())
    const attacker = cookieFrom(await login(t.app, ada, { ip: '192.0.2.66' }))!

    const replay = await send(t.app, 'POST', '/login/totp', {
      fields: { code: used },
      cookie: attacker,
      ip: '192.0.2.66',
    })

    expect(replay.status).toBe(401)
    expect((await sessionRow(t.db, attacker))?.two_factor_verified).toBe(false)
    expect(
      (await auditEntriesFor(t.db, 'auth.totp.replayed', ada)).map((e) => [e.ip, e.after]),
    ).toEqual([['192.0.2.66', { email: ada.admin.email, outcome: 'totp_replayed' }]])
    expect(await superAdminRow(t.db, ada)).toMatchObject({
      totp_replay_at: new Date(t.clock.now()),
      totp_replay_ip: '192.0.2.66',
      failed_totp_count: 1,
    })

    t.clock.advance(30_000)
    const next = await send(t.app, 'POST', '/login/totp', {
      fields: { code: totpCode(ada.totpKey, t.clock.now()) },
      cookie: await signInWithPasswordOnly(t.app, ada),
    })
    const full = cookieFrom(next)!
    const flash = cookieFrom(next, 'fleetdeck_flash')!
    const page = await (
      await send(t.app, 'GET', '/tenants', { cookie: `${full}; ${flash}` })
    ).text()

    expect(next.status).toBe(303)
    expect(page).toContain('presented one of your TOTP codes a second time')
    expect(page).toContain('192.0.2.66')
    expect(await superAdminRow(t.db, ada)).toMatchObject({
      totp_replay_at: null,
      totp_replay_ip: null,
    })

    t.clock.advance(30_000)
    const after = await send(t.app, 'POST', '/login/totp', {
      fields: { code: totpCode(ada.totpKey, t.clock.now()) },
      cookie: await signInWithPasswordOnly(t.app, ada),
    })
    expect(after.status).toBe(303)
    expect(cookieFrom(after, 'fleetdeck_flash')).toBeUndefined()
  })

  it('the same code cannot be used twice even when both requests arrive together', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    t.clock.advance(30_000)
    const halves = [
      await signInWithPasswordOnly(t.app, ada),
      await signInWithPasswordOnly(t.app, ada),
    ]
    const code = totpCode(ada.totpKey, t.clock.now())

    const results = await Promise.all(
      halves.map((cookie) => send(t.app, 'POST', '/login/totp', { fields: { code }, cookie })),
    )

    expect(results.map((r) => r.status).sort()).toEqual([303, 401])
    expect(await auditEntriesFor(t.db, 'auth.totp.replayed', ada)).toHaveLength(1)
  })

  it('the TOTP key is stored encrypted: "v1." and no trace of the key the page shows', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    await t.db
      .updateTable('super_admins')
      .set({ mfa_enabled: false, totp_secret_encrypted: null })
      .where('id', '=', ada.admin.id)
      .execute()
    const half = await signInWithPasswordOnly(t.app, ada)

    const page = await (await send(t.app, 'GET', '/enrol/totp', { cookie: half })).text()
    const base32 = /id="totp-key"[^>]*>([A-Z2-7]+)</.exec(page)![1]
    const key = Buffer.from(decodeBase32IgnorePadding(base32))
    const stored = (await superAdminRow(t.db, ada)).totp_secret_encrypted!

    expect(stored).toMatch(/^v1\.[A-Za-z0-9_-]+$/)
    for (const form of [
      base32,
      key.toString('hex'),
      key.toString('base64url'),
      key.toString('base64'),
    ]) {
      expect(stored).not.toContain(form)
    }
  })
})
