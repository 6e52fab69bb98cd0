import { countAllSessions } from '../auth/session.js'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { decodeBase32IgnorePadding } from '@oslojs/encoding'
import type { App } from '../app.js'
import { decoyPasswordHash, verifyPassword } from '../auth/password.js'
import { IP_FAILURE_LIMIT, SIGN_IN_FAILED } from '../auth/sign-in.js'
import { getGlobalAllowlist, setGlobalAllowlist } from '../db/settings.js'
import {
  auditEntries,
  cookieFrom,
  countRows,
  createSuperAdmin,
  createTenant,
  createTestApp,
  createTestAppWith,
  signIn,
  totpCode,
  wrongTotpCode,
  type TestAdmin,
  type TestApp,
} from '../test-support/factories.js'
import { safeNextPath } from '../web/guards.js'

// Issue #3 end to end: lockout, per-address limits, TOTP replay, IP allowlists, step-up, session
// management and web hardening, each shown refusing through app.request() with the database
// checked afterwards.

// Every password check goes through the real argon2 verify; the spy only counts the calls.
vi.mock('../auth/password.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../auth/password.js')>()
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) }
})

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
})

afterAll(() => t?.close())

const MINUTE = 60_000
/** The operator's own address, inside 203.0.113.0/24. */
const OPERATOR_IP = '203.0.113.7'
/** An address outside every list the tests save. */
const OUTSIDE_IP = '198.51.100.9'
const EVIL_ORIGIN = 'https://evil.example'

type SendOptions = {
  fields?: Record<string, string>
  cookie?: string
  /** The socket peer's address (`c.env.incoming.socket.remoteAddress`). */
  ip?: string
  /** Origin header; same-origin unless given, none with null. */
  origin?: string | null
  headers?: Record<string, string>
  app?: App
}

/** One request as a browser sends it, from the socket address `ip` when given. */
async function send(method: string, path: string, o: SendOptions = {}): Promise<Response> {
  const unsafe = method !== 'GET' && method !== 'HEAD'
  const origin = o.origin === undefined ? 'http://localhost' : o.origin
  const headers: Record<string, string> = {
    ...(o.fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...(unsafe && origin !== null ? { origin } : {}),
    ...(o.cookie ? { cookie: o.cookie } : {}),
    ...o.headers,
  }
  const body = o.fields ? new URLSearchParams(o.fields).toString() : undefined
  const env = o.ip ? { incoming: { socket: { remoteAddress: o.ip } } } : undefined
  return (o.app ?? t.app).request(path, { method, headers, body }, env)
}

function login(who: TestAdmin, o: Omit<SendOptions, 'fields'> & { password?: string } = {}) {
  const password = o.password ?? who.password
  return send('POST', '/login', { ...o, fields: { email: who.admin.email, password } })
}

/** Password and TOTP from `ip`, one TOTP step later; returns the full-session cookie. */
async function signInFrom(who: TestAdmin, ip: string, app: App = t.app): Promise<string> {
  t.clock.advance(30_000)
  const half = cookieFrom(await login(who, { ip, app }))!
  const code = totpCode(who.totpKey, t.clock.now())
  const res = await send('POST', '/login/totp', { fields: { code }, cookie: half, ip, app })
  const cookie = cookieFrom(res)
  if (res.status !== 303 || !cookie) throw new Error(`sign-in from ${ip} failed: ${res.status}`)
  return cookie
}

/** The password step alone; returns the half-session cookie. */
async function halfSession(who: TestAdmin): Promise<string> {
  const res = await login(who)
  expect(res.status).toBe(303)
  return cookieFrom(res)!
}

function sessionId(cookie: string): string {
  return cookie.split('=')[1].split('.')[0]
}

function sessionRow(cookie: string) {
  return t.db
    .selectFrom('super_admin_sessions')
    .selectAll()
    .where('id', '=', sessionId(cookie))
    .executeTakeFirst()
}

function adminRow(who: TestAdmin) {
  return t.db
    .selectFrom('super_admins')
    .selectAll()
    .where('id', '=', who.admin.id)
    .executeTakeFirstOrThrow()
}

async function counters(who: TestAdmin) {
  const row = await adminRow(who)
  return {
    failed_password_count: row.failed_password_count,
    failed_totp_count: row.failed_totp_count,
    locked_until: row.locked_until,
  }
}

/** The test clock plus `ms`, as the database stores it. */
function fromNow(ms: number): Date {
  return new Date(t.clock.now() + ms)
}

function attemptOutcomes(who: TestAdmin) {
  return t.db
    .selectFrom('sign_in_attempts')
    .select('outcome')
    .where('super_admin_id', '=', who.admin.id)
    .orderBy('id')
    .execute()
    .then((rows) => rows.map((r) => r.outcome))
}

function countAttempts(): Promise<number> {
  return t.db
    .selectFrom('sign_in_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n))
}

async function auditFor(action: string, who: TestAdmin) {
  return (await auditEntries(t.db, action)).filter((e) => e.target_id === who.admin.id)
}

function alertText(html: string): string | undefined {
  return /<p role="alert"[^>]*>([^<]*)<\/p>/.exec(html)?.[1]
}

describe('account lockout', () => {
  it('five wrong passwords lock the account for 15 minutes; every failure and the lock are audited', async () => {
    const ada = await createSuperAdmin(t.db, t.config)

    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await login(ada, { password: 'wrong' })).status)

    expect(statuses).toEqual([401, 401, 401, 401, 401])
    expect(await counters(ada)).toEqual({
      failed_password_count: 5,
      failed_totp_count: 0,
      locked_until: fromNow(15 * MINUTE),
    })
    expect(await auditFor('auth.login.failed', ada)).toHaveLength(5)
    const locks = await auditFor('auth.lockout', ada)
    expect(locks.map((e) => e.after)).toEqual([
      { kind: 'password', failures: 5, lockedUntil: fromNow(15 * MINUTE).toISOString() },
    ])
  })

  it('a locked account refuses the right password like a wrong one, opens no session, and audits it', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 5; i++) await login(ada, { password: 'wrong' })
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const res = await login(ada)

    expect(res.status).toBe(401)
    expect(alertText(await res.text())).toBe(SIGN_IN_FAILED)
    expect(cookieFrom(res)).toBeUndefined()
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore)
    expect((await auditFor('auth.login.locked', ada)).map((e) => e.after)).toEqual([
      { email: ada.admin.email, outcome: 'locked' },
    ])
    expect(await attemptOutcomes(ada)).toEqual([...Array(5).fill('bad_password'), 'locked'])
  })

  it('after 15 minutes the account unlocks and the right password resets the counter', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 5; i++) await login(ada, { password: 'wrong' })

    t.clock.advance(15 * MINUTE - 1000)
    expect((await counters(ada)).locked_until!.getTime()).toBeGreaterThan(t.clock.now())
    t.clock.advance(1000)
    const onTime = await login(ada)

    expect(onTime.status).toBe(303)
    expect(onTime.headers.get('location')).toBe('/login/totp')
    expect(await counters(ada)).toMatchObject({ failed_password_count: 0, locked_until: null })
  })

  it('attempts during a lock are refused and still counted: the tenth locks for an hour', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 5; i++) await login(ada, { password: 'wrong' })
    const duringLock = []
    for (let i = 0; i < 4; i++) duringLock.push((await login(ada, { password: 'wrong' })).status)
    expect(await counters(ada)).toEqual({
      failed_password_count: 9,
      failed_totp_count: 0,
      locked_until: fromNow(15 * MINUTE),
    })

    // The tenth attempt is the right password, but it arrives during the lock: refused, counted.
    const tenth = await login(ada)

    expect([...duringLock, tenth.status]).toEqual(Array(5).fill(401))
    expect(await counters(ada)).toEqual({
      failed_password_count: 10,
      failed_totp_count: 0,
      locked_until: fromNow(60 * MINUTE),
    })
    expect(
      (await auditFor('auth.lockout', ada)).map((e) => (e.after as { failures: number }).failures),
    ).toEqual([5, 10])
    t.clock.advance(60 * MINUTE)
    expect((await login(ada)).status).toBe(303)
  })

  it('wrong TOTP codes are counted apart from wrong passwords; the fifth locks and ends the half session', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const half = await halfSession(ada)
    const wrong = () => ({ code: wrongTotpCode(ada.totpKey, t.clock.now()) })
    for (let i = 0; i < 4; i++) {
      expect((await send('POST', '/login/totp', { fields: wrong(), cookie: half })).status).toBe(
        401,
      )
    }
    for (let i = 0; i < 4; i++) await login(ada, { password: 'wrong' })
    expect(await counters(ada)).toEqual({
      failed_password_count: 4,
      failed_totp_count: 4,
      locked_until: null,
    })

    const fifth = await send('POST', '/login/totp', { fields: wrong(), cookie: half })

    expect(fifth.status).toBe(401)
    expect(alertText(await fifth.text())).toBe(SIGN_IN_FAILED)
    expect(fifth.headers.getSetCookie().join()).toMatch(/fleetdeck_session=;/)
    expect(await sessionRow(half)).toBeUndefined()
    expect((await counters(ada)).locked_until).toEqual(fromNow(15 * MINUTE))
    expect((await auditFor('auth.lockout', ada)).map((e) => e.after)).toEqual([
      { kind: 'totp', failures: 5, lockedUntil: fromNow(15 * MINUTE).toISOString() },
    ])
    expect((await login(ada)).status).toBe(401)
  })

  it('a successful sign-in resets both counters, so later failures start again from one', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    for (let i = 0; i < 4; i++) await login(ada, { password: 'wrong' })
    t.clock.advance(30_000)
    const half = await halfSession(ada)
    for (let i = 0; i < 4; i++) {
      const code = wrongTotpCode(ada.totpKey, t.clock.now())
      await send('POST', '/login/totp', { fields: { code }, cookie: half })
    }

    const ok = await send('POST', '/login/totp', {
      fields: { code: totpCode(ada.totpKey, t.clock.now()) },
      cookie: half,
    })
    for (let i = 0; i < 4; i++) await login(ada, { password: 'wrong' })

    expect(ok.status).toBe(303)
    expect(await counters(ada)).toEqual({
      failed_password_count: 4,
      failed_totp_count: 0,
      locked_until: null,
    })
  })

  it('twenty wrong passwords sent in parallel count as twenty and lock the account for 24 hours', async () => {
    const ada = await createSuperAdmin(t.db, t.config)

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => login(ada, { password: 'wrong', ip: '192.0.2.20' })),
    )

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(401))
    expect(await counters(ada)).toEqual({
      failed_password_count: 20,
      failed_totp_count: 0,
      locked_until: fromNow(24 * 60 * MINUTE),
    })
    const locks = await auditFor('auth.lockout', ada)
    expect(
      locks.map((e) => (e.after as { failures: number }).failures).sort((a, b) => a - b),
    ).toEqual([5, 10, 20])
  })

  it('parallel guessing cannot outrun the lock: of 25 wrong passwords and the right one, at most five are checked', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    // 26 attempts stay under the per-address limit, so only the account lock is at work.
    const guesses = [...Array(25).fill('wrong'), ada.password]

    const responses = await Promise.all(
      guesses.map((password) => login(ada, { password, ip: '192.0.2.31' })),
    )

    const outcomes = await attemptOutcomes(ada)
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
    const half = await halfSession(ada)
    const codes = [
      ...Array.from({ length: 25 }, () => wrongTotpCode(ada.totpKey, t.clock.now())),
      totpCode(ada.totpKey, t.clock.now()),
    ]

    const responses = await Promise.all(
      codes.map((code) => send('POST', '/login/totp', { fields: { code }, cookie: half })),
    )

    const totpOutcomes = (await attemptOutcomes(ada)).filter(
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
      const res = await send('POST', '/login', { fields })
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
      (await adminRow(wrong)).password_hash,
      (await adminRow(locked)).password_hash,
      (await adminRow(inactive)).password_hash,
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
    const realHash = (await adminRow(ada)).password_hash!
    const runs = { unknown: [] as number[], wrong: [] as number[], argon2: [] as number[] }
    await login(ada, { password: 'warm-up' })

    for (let i = 0; i < 7; i++) {
      await t.db
        .updateTable('super_admins')
        .set({ failed_password_count: 0 })
        .where('id', '=', ada.admin.id)
        .execute()
      runs.unknown.push(
        await time(() =>
          send('POST', '/login', { fields: { email: `nobody${i}@example.com`, password: 'x' } }),
        ),
      )
      runs.wrong.push(await time(() => login(ada, { password: 'wrong' })))
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
      expect((await send('POST', '/login', { fields, ip })).status).toBe(401)
    }
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const refused = await login(ada, { ip })
    const elsewhere = await login(ada, { ip: '192.0.2.31' })

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
    expect(await counters(ada)).toMatchObject({ failed_password_count: 0, locked_until: null })

    t.clock.advance(15 * MINUTE)
    expect((await login(ada, { ip })).status).toBe(303)
  })

  it('a burst of parallel failures from one address cannot slip past the limit', async () => {
    const ip = '192.0.2.40'
    const admins = await Promise.all(
      Array.from({ length: 8 }, () => createSuperAdmin(t.db, t.config)),
    )
    t.clock.set(Math.ceil(t.clock.now() / (15 * MINUTE)) * 15 * MINUTE)

    const responses = await Promise.all(
      admins.flatMap((who) =>
        Array.from({ length: 5 }, () => login(who, { password: 'wrong', ip })),
      ),
    )

    const statuses = responses.map((r) => r.status).sort()
    expect(statuses).toEqual([
      ...Array(IP_FAILURE_LIMIT).fill(401),
      ...Array(40 - IP_FAILURE_LIMIT).fill(429),
    ])
    const counted = await Promise.all(
      admins.map(async (who) => (await counters(who)).failed_password_count),
    )
    expect(counted.reduce((a, b) => a + b, 0)).toBe(IP_FAILURE_LIMIT)
  })
})

describe('TOTP codes', () => {
  it('a replayed code is refused and audited, and the admin is told once, at the next sign-in', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    await signIn(t.app, ada, t.clock)
    const used = totpCode(ada.totpKey, t.clock.now())
    const attacker = cookieFrom(await login(ada, { ip: '192.0.2.66' }))!

    const replay = await send('POST', '/login/totp', {
      fields: { code: used },
      cookie: attacker,
      ip: '192.0.2.66',
    })

    expect(replay.status).toBe(401)
    expect((await sessionRow(attacker))?.two_factor_verified).toBe(false)
    expect((await auditFor('auth.totp.replayed', ada)).map((e) => [e.ip, e.after])).toEqual([
      ['192.0.2.66', { email: ada.admin.email, outcome: 'totp_replayed' }],
    ])
    expect(await adminRow(ada)).toMatchObject({
      totp_replay_at: new Date(t.clock.now()),
      totp_replay_ip: '192.0.2.66',
      failed_totp_count: 1,
    })

    t.clock.advance(30_000)
    const next = await send('POST', '/login/totp', {
      fields: { code: totpCode(ada.totpKey, t.clock.now()) },
      cookie: await halfSession(ada),
    })
    const full = cookieFrom(next)!
    const flash = cookieFrom(next, 'fleetdeck_flash')!
    const page = await (await send('GET', '/tenants', { cookie: `${full}; ${flash}` })).text()

    expect(next.status).toBe(303)
    expect(page).toContain('presented one of your TOTP codes a second time')
    expect(page).toContain('192.0.2.66')
    expect(await adminRow(ada)).toMatchObject({ totp_replay_at: null, totp_replay_ip: null })

    t.clock.advance(30_000)
    const after = await send('POST', '/login/totp', {
      fields: { code: totpCode(ada.totpKey, t.clock.now()) },
      cookie: await halfSession(ada),
    })
    expect(after.status).toBe(303)
    expect(cookieFrom(after, 'fleetdeck_flash')).toBeUndefined()
  })

  it('the same code cannot be used twice even when both requests arrive together', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    t.clock.advance(30_000)
    const halves = [await halfSession(ada), await halfSession(ada)]
    const code = totpCode(ada.totpKey, t.clock.now())

    const results = await Promise.all(
      halves.map((cookie) => send('POST', '/login/totp', { fields: { code }, cookie })),
    )

    expect(results.map((r) => r.status).sort()).toEqual([303, 401])
    expect(await auditFor('auth.totp.replayed', ada)).toHaveLength(1)
  })

  it('the TOTP key is stored encrypted: "v1." and no trace of the key the page shows', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    await t.db
      .updateTable('super_admins')
      .set({ mfa_enabled: false, totp_secret_encrypted: null })
      .where('id', '=', ada.admin.id)
      .execute()
    const half = await halfSession(ada)

    const page = await (await send('GET', '/enrol/totp', { cookie: half })).text()
    const base32 = /id="totp-key"[^>]*>([A-Z2-7]+)</.exec(page)![1]
    const key = Buffer.from(decodeBase32IgnorePadding(base32))
    const stored = (await adminRow(ada)).totp_secret_encrypted!

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

describe('the global IP allowlist', () => {
  let owner: TestAdmin
  let cookie: string
  let proxied: TestApp

  beforeAll(async () => {
    owner = await createSuperAdmin(t.db, t.config)
    proxied = await createTestAppWith({ TRUST_PROXY: 'loopback' }, t)
  })

  afterEach(async () => {
    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, [], owner.admin.id, new Date()))
  })

  /** Signs in from the operator's address and saves `entries` through the settings page. */
  async function saveList(entries: string[]) {
    cookie = await signInFrom(owner, OPERATOR_IP)
    const res = await send('POST', '/settings/security', {
      fields: { allowlist: entries.join('\n') },
      cookie,
      ip: OPERATOR_IP,
    })
    expect(res.status).toBe(303)
  }

  it('an owner saves the list from an address on it; the change is audited', async () => {
    await saveList(['203.0.113.0/24', '2001:db8::/32'])

    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24', '2001:db8::/32'])
    expect((await auditEntries(t.db, 'settings.ip_allowlist')).at(-1)).toMatchObject({
      actor_id: owner.admin.id,
      ip: OPERATOR_IP,
      after: { ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] },
    })
  })

  it('an address outside the list gets a 403 page at /login, audited as security.ip_refused with the address', async () => {
    await saveList(['203.0.113.0/24'])

    const res = await send('GET', '/login', { ip: OUTSIDE_IP })

    expect(res.status).toBe(403)
    expect(await res.text()).toContain(`Your address (${OUTSIDE_IP}) is not on the allowlist.`)
    expect((await auditEntries(t.db, 'security.ip_refused')).at(-1)).toMatchObject({
      ip: OUTSIDE_IP,
      target_id: OUTSIDE_IP,
      after: { ip: OUTSIDE_IP, list: 'global', method: 'GET', path: '/login' },
    })
  })

  it('the right password from outside the list is refused before any other work: no session, no attempt recorded', async () => {
    await saveList(['203.0.113.0/24'])
    const before = [await countRows(t.db, 'super_admin_sessions'), await countAttempts()]

    const res = await login(owner, { ip: OUTSIDE_IP })

    expect(res.status).toBe(403)
    expect(cookieFrom(res)).toBeUndefined()
    expect([await countRows(t.db, 'super_admin_sessions'), await countAttempts()]).toEqual(before)
  })

  it('a signed-in session is refused from outside the list on console pages and actions, and nothing changes', async () => {
    await saveList(['203.0.113.0/24'])
    const before = await countRows(t.db, 'super_admin_sessions')

    const page = await send('GET', '/tenants', { cookie, ip: OUTSIDE_IP })
    const signOutAll = await send('POST', '/settings/security/sessions', {
      fields: { _method: 'DELETE' },
      cookie,
      ip: OUTSIDE_IP,
    })
    const clearList = await send('POST', '/settings/security', {
      fields: { allowlist: '' },
      cookie,
      ip: OUTSIDE_IP,
    })

    expect([page.status, signOutAll.status, clearList.status]).toEqual([403, 403, 403])
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24'])
  })

  it('a request whose address is unknown is refused while a list is set', async () => {
    await saveList(['203.0.113.0/24'])

    expect((await send('GET', '/login')).status).toBe(403)
  })

  it('/healthz and /readyz stay open outside the list', async () => {
    await saveList(['203.0.113.0/24'])

    expect((await send('GET', '/healthz', { ip: OUTSIDE_IP })).status).toBe(200)
    expect((await send('GET', '/readyz', { ip: OUTSIDE_IP })).status).toBe(200)
  })

  it('a spoofed X-Forwarded-For from an untrusted peer is ignored', async () => {
    await saveList(['203.0.113.0/24'])
    const headers = { 'x-forwarded-for': OPERATOR_IP }

    const outside = await send('GET', '/login', { ip: OUTSIDE_IP, headers })
    const loopback = await send('GET', '/login', { ip: '127.0.0.1', headers })

    expect(outside.status).toBe(403)
    expect(loopback.status).toBe(403)
    expect(await loopback.text()).toContain('Your address (127.0.0.1)')
  })

  it('X-Forwarded-For from a trusted proxy (TRUST_PROXY=loopback) is honoured, both ways', async () => {
    await saveList(['203.0.113.0/24'])
    const app = proxied.app

    const inside = await send('GET', '/login', {
      app,
      ip: '127.0.0.1',
      headers: { 'x-forwarded-for': OPERATOR_IP },
    })
    const outside = await send('GET', '/login', {
      app,
      ip: '::ffff:127.0.0.1',
      headers: { 'x-forwarded-for': '192.0.2.99' },
    })

    expect(inside.status).toBe(200)
    expect(outside.status).toBe(403)
    expect((await auditEntries(t.db, 'security.ip_refused')).at(-1)).toMatchObject({
      ip: '192.0.2.99',
    })
  })

  it('refusals of one address are audited at most once a minute, so a blocked client cannot flood the log', async () => {
    await saveList(['203.0.113.0/24'])
    const ip = '192.0.2.77'
    const entries = async () =>
      (await auditEntries(t.db, 'security.ip_refused')).filter((e) => e.ip === ip)

    for (let i = 0; i < 3; i++) await send('GET', '/login', { ip })
    const inOneMinute = (await entries()).length
    t.clock.advance(MINUTE)
    await send('GET', '/login', { ip })

    expect(inOneMinute).toBe(1)
    expect(await entries()).toHaveLength(2)
  })

  it("saving a list that would shut out the operator's own address is refused with 422 and the list stays", async () => {
    await saveList(['203.0.113.0/24'])
    const auditBefore = await countRows(t.db, 'audit_log')

    const res = await send('POST', '/settings/security', {
      fields: { allowlist: '198.51.100.0/24' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain(`does not include your own address (${OPERATOR_IP})`)
    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24'])
    expect(await countRows(t.db, 'audit_log')).toBe(auditBefore)
  })

  it('an entry that is not an address or range is refused with 422 and the list stays', async () => {
    await saveList(['203.0.113.0/24'])

    const res = await send('POST', '/settings/security', {
      fields: { allowlist: '203.0.113.0/24\noffice.example.com' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('“office.example.com” is not an IP address or CIDR range.')
    expect(await getGlobalAllowlist(t.db)).toEqual(['203.0.113.0/24'])
  })

  it('an empty list lifts the restriction', async () => {
    await saveList(['203.0.113.0/24'])

    const res = await send('POST', '/settings/security', {
      fields: { allowlist: '' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(303)
    expect(await getGlobalAllowlist(t.db)).toEqual([])
    expect((await send('GET', '/login', { ip: OUTSIDE_IP })).status).toBe(200)
  })

  it('an admin without saas.settings.edit cannot change the list', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const adminCookie = await signInFrom(admin, OPERATOR_IP)

    const res = await send('POST', '/settings/security', {
      fields: { allowlist: OPERATOR_IP },
      cookie: adminCookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(403)
    expect(await getGlobalAllowlist(t.db)).toEqual([])
  })
})

describe("an admin's own IP allowlist", () => {
  let ada: TestAdmin
  let cookie: string

  beforeAll(async () => {
    ada = await createSuperAdmin(t.db, t.config)
    cookie = await signInFrom(ada, OPERATOR_IP)
    const res = await send('POST', '/account/allowlist', {
      fields: { allowlist: '203.0.113.0/24' },
      cookie,
      ip: OPERATOR_IP,
    })
    expect(res.status).toBe(303)
  })

  it('is saved from /account with the operator on it, and audited', async () => {
    expect((await adminRow(ada)).ip_allowlist).toEqual(['203.0.113.0/24'])
    expect((await auditFor('super_admin.allowlist', ada)).map((e) => [e.before, e.after])).toEqual([
      [{ ipAllowlist: [] }, { ipAllowlist: ['203.0.113.0/24'] }],
    ])
  })

  it('refuses their session from another address with a 403 page, audited with the address', async () => {
    const elsewhere = '198.51.100.20'

    const res = await send('GET', '/tenants', { cookie, ip: elsewhere })

    expect(res.status).toBe(403)
    expect(await res.text()).toContain(`Your address (${elsewhere}) is not on the allowlist.`)
    expect((await auditEntries(t.db, 'security.ip_refused')).at(-1)).toMatchObject({
      actor_id: ada.admin.id,
      ip: elsewhere,
      after: { ip: elsewhere, list: 'admin', path: '/tenants' },
    })
    expect((await send('GET', '/tenants', { cookie, ip: OPERATOR_IP })).status).toBe(200)
  })

  it('refuses their right password from another address exactly like a wrong one, and records why', async () => {
    const sessionsBefore = await countRows(t.db, 'super_admin_sessions')

    const res = await login(ada, { ip: '192.0.2.55' })

    expect(res.status).toBe(401)
    expect(alertText(await res.text())).toBe(SIGN_IN_FAILED)
    expect(cookieFrom(res)).toBeUndefined()
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessionsBefore)
    expect((await attemptOutcomes(ada)).at(-1)).toBe('ip_refused')
    expect((await auditFor('auth.login.ip_refused', ada)).at(-1)).toMatchObject({
      ip: '192.0.2.55',
    })
  })

  it('does not bind other admins', async () => {
    const bea = await createSuperAdmin(t.db, t.config)

    expect((await login(bea, { ip: OUTSIDE_IP })).status).toBe(303)
  })

  it("saving a list that would shut out the admin's own address is refused with 422 and the list stays", async () => {
    const res = await send('POST', '/account/allowlist', {
      fields: { allowlist: '198.51.100.0/24' },
      cookie,
      ip: OPERATOR_IP,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain(`does not include your own address (${OPERATOR_IP})`)
    expect((await adminRow(ada)).ip_allowlist).toEqual(['203.0.113.0/24'])
  })
})

describe('safeNextPath', () => {
  it('keeps a local path and its query', () => {
    expect(safeNextPath('/settings/security')).toBe('/settings/security')
    expect(safeNextPath('/tenants?q=acme&page=2')).toBe('/tenants?q=acme&page=2')
  })

  it('falls back for anything that could leave the site', () => {
    for (const next of [
      '//evil.com',
      'https://evil.com/x',
      '/\\evil',
      '\\\\evil.com',
      '/\t/evil.com',
      'javascript:alert(1)',
      'http://localhost/x',
    ]) {
      expect([next, safeNextPath(next)]).toEqual([next, '/tenants'])
    }
  })

  it('falls back when there is no next at all, to the fallback given', () => {
    expect(safeNextPath(undefined)).toBe('/tenants')
    expect(safeNextPath('', '/account')).toBe('/account')
  })
})

describe('step-up for sensitive actions', () => {
  let owner: TestAdmin

  beforeAll(async () => {
    owner = await createSuperAdmin(t.db, t.config)
  })

  /** A full session whose TOTP check is 11 minutes old (kept alive by a page view). */
  async function staleSession(who: TestAdmin = owner): Promise<string> {
    const cookie = await signIn(t.app, who, t.clock)
    t.clock.advance(11 * MINUTE)
    expect((await send('GET', '/account', { cookie })).status).toBe(200)
    return cookie
  }

  const referer = (path: string) => ({ referer: `http://localhost${path}` })

  it('changing the global allowlist asks for a fresh code after 10 minutes, and the list stays', async () => {
    const cookie = await staleSession()
    const saves = (await auditEntries(t.db, 'settings.ip_allowlist')).length

    const res = await send('POST', '/settings/security', {
      fields: { allowlist: '0.0.0.0/1\n128.0.0.0/1' },
      cookie,
      headers: referer('/settings/security'),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/step-up?next=%2Fsettings%2Fsecurity')
    expect(await getGlobalAllowlist(t.db)).toEqual([])
    expect(await auditEntries(t.db, 'settings.ip_allowlist')).toHaveLength(saves)
  })

  it('signing everyone out asks for a fresh code after 10 minutes, and no session ends', async () => {
    const cookie = await staleSession()
    const before = await countRows(t.db, 'super_admin_sessions')

    const res = await send('POST', '/settings/security/sessions', {
      fields: { _method: 'DELETE' },
      cookie,
      headers: referer('/settings/security'),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/step-up?next=%2Fsettings%2Fsecurity')
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
  })

  it('ending all other sessions asks for a fresh code after 10 minutes, and they stay', async () => {
    const other = await signIn(t.app, owner, t.clock)
    const cookie = await staleSession()

    const res = await send('DELETE', '/account/sessions', { cookie, headers: referer('/account') })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/step-up?next=%2Faccount')
    expect(await sessionRow(other)).toBeDefined()
  })

  it('deleting a tenant asks for a fresh code after 10 minutes, and the tenant stays', async () => {
    const tenant = await createTenant(t.db)
    const cookie = await staleSession()

    const res = await send('POST', `/tenants/${tenant.id}`, {
      fields: { _method: 'DELETE', confirmSlug: tenant.slug },
      cookie,
      headers: referer(`/tenants/${tenant.id}`),
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(
      `/step-up?next=${encodeURIComponent(`/tenants/${tenant.id}`)}`,
    )
    const after = await t.db
      .selectFrom('tenants')
      .select('status')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(after.status).toBe('active')
  })

  it('htmx is sent to /step-up with HX-Redirect', async () => {
    const cookie = await staleSession()

    const res = await send('DELETE', '/account/sessions', {
      cookie,
      headers: { 'hx-request': 'true', ...referer('/account') },
    })

    expect(res.status).toBe(403)
    expect(res.headers.get('hx-redirect')).toBe('/step-up?next=%2Faccount')
  })

  it('a valid code rotates the session id, keeps the sign-in time, and returns to next where the action now passes', async () => {
    const cookie = await staleSession()
    const old = (await sessionRow(cookie))!
    t.clock.advance(30_000)

    const res = await send('POST', '/step-up?next=%2Fsettings%2Fsecurity', {
      fields: { code: totpCode(owner.totpKey, t.clock.now()) },
      cookie,
    })
    const rotated = cookieFrom(res)!

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/settings/security')
    expect(sessionId(rotated)).not.toBe(old.id)
    expect(await sessionRow(cookie)).toBeUndefined()
    expect(await sessionRow(rotated)).toMatchObject({
      super_admin_id: owner.admin.id,
      two_factor_verified: true,
      created_at: old.created_at,
      totp_verified_at: new Date(t.clock.now()),
    })
    expect((await auditFor('auth.step_up', owner)).at(-1)?.actor_id).toBe(owner.admin.id)
    const again = await send('POST', '/settings/security', {
      fields: { allowlist: '' },
      cookie: rotated,
    })
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe('/settings/security')
  })

  it('a wrong code answers 422 and leaves the session as it was', async () => {
    const cookie = await staleSession()
    const before = await sessionRow(cookie)

    const res = await send('POST', '/step-up?next=%2Faccount', {
      fields: { code: wrongTotpCode(owner.totpKey, t.clock.now()) },
      cookie,
    })

    expect(res.status).toBe(422)
    expect(cookieFrom(res)).toBeUndefined()
    expect(await sessionRow(cookie)).toEqual(before)
    expect((await auditFor('auth.step_up.failed', owner)).at(-1)?.after).toMatchObject({
      outcome: 'bad_totp',
    })
    await t.db
      .updateTable('super_admins')
      .set({ failed_totp_count: 0 })
      .where('id', '=', owner.admin.id)
      .execute()
  })

  it('a code already used for step-up is refused the second time and audited as a replay', async () => {
    const cookie = await staleSession()
    t.clock.advance(30_000)
    const code = totpCode(owner.totpKey, t.clock.now())
    const rotated = cookieFrom(await send('POST', '/step-up', { fields: { code }, cookie }))!
    const replaysBefore = (await auditFor('auth.totp.replayed', owner)).length

    const res = await send('POST', '/step-up', { fields: { code }, cookie: rotated })

    expect(res.status).toBe(422)
    expect(await sessionRow(rotated)).toBeDefined()
    expect(await auditFor('auth.totp.replayed', owner)).toHaveLength(replaysBefore + 1)
    await t.db
      .updateTable('super_admins')
      .set({ failed_totp_count: 0, totp_replay_at: null })
      .where('id', '=', owner.admin.id)
      .execute()
  })

  it('next cannot send the operator to another site', async () => {
    const cookie = await staleSession()
    t.clock.advance(30_000)

    const page = await (await send('GET', '/step-up?next=%2F%2Fevil.com', { cookie })).text()
    const res = await send('POST', `/step-up?next=${encodeURIComponent('https://evil.com/x')}`, {
      fields: { code: totpCode(owner.totpKey, t.clock.now()) },
      cookie,
    })

    expect(page).toContain('action="/step-up?next=%2Ftenants"')
    expect(page).not.toContain('evil.com')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/tenants')
  })

  it('five wrong codes lock the account and end the session in the database', async () => {
    const bea = await createSuperAdmin(t.db, t.config)
    const cookie = await staleSession(bea)
    const wrong = () => ({ code: wrongTotpCode(bea.totpKey, t.clock.now()) })
    for (let i = 0; i < 4; i++) {
      expect((await send('POST', '/step-up', { fields: wrong(), cookie })).status).toBe(422)
    }

    const fifth = await send('POST', '/step-up', { fields: wrong(), cookie })

    expect(fifth.status).toBe(303)
    expect(fifth.headers.get('location')).toBe('/login')
    expect(fifth.headers.getSetCookie().join()).toMatch(/fleetdeck_session=;/)
    expect(await sessionRow(cookie)).toBeUndefined()
    expect(await counters(bea)).toMatchObject({
      failed_totp_count: 5,
      locked_until: fromNow(15 * MINUTE),
    })
    expect((await send('GET', '/tenants', { cookie })).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
  })
})

describe('sessions at /account', () => {
  it('lists the active sessions of the admin, marks this one, and offers to end the others', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const other = await signIn(t.app, ada, t.clock)
    await halfSession(ada)
    const current = await signIn(t.app, ada, t.clock)

    const page = await (await send('GET', '/account', { cookie: current })).text()

    expect(page).toContain('Active sessions (2)')
    expect(page).toContain('this session')
    expect(page).toContain(`action="/account/sessions/${sessionId(other)}"`)
    expect(page).not.toContain(`action="/account/sessions/${sessionId(current)}"`)
    expect(page).toContain('End all other sessions')
  })

  it('ending one other session deletes its row and audits it; that browser is back at /login', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const other = await signIn(t.app, ada, t.clock)
    const current = await signIn(t.app, ada, t.clock)

    const res = await send('POST', `/account/sessions/${sessionId(other)}`, {
      fields: { _method: 'DELETE' },
      cookie: current,
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/account')
    expect(await sessionRow(other)).toBeUndefined()
    expect(await sessionRow(current)).toBeDefined()
    expect((await auditEntries(t.db, 'auth.session.end')).at(-1)).toMatchObject({
      actor_id: ada.admin.id,
      target_id: sessionId(other).slice(0, 8),
    })
    expect((await send('GET', '/tenants', { cookie: other })).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
  })

  it("an admin cannot end another admin's session: 404 and the row stays", async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const bea = await createSuperAdmin(t.db, t.config)
    const beas = await signIn(t.app, bea, t.clock)
    const adas = await signIn(t.app, ada, t.clock)

    const res = await send('DELETE', `/account/sessions/${sessionId(beas)}`, { cookie: adas })

    expect(res.status).toBe(404)
    expect(await sessionRow(beas)).toBeDefined()
  })

  it('ending all other sessions deletes them and keeps this one and other admins’ sessions', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const bea = await createSuperAdmin(t.db, t.config)
    const others = [await signIn(t.app, ada, t.clock), await signIn(t.app, ada, t.clock)]
    const beas = await signIn(t.app, bea, t.clock)
    const current = await signIn(t.app, ada, t.clock)

    const res = await send('POST', '/account/sessions', {
      fields: { _method: 'DELETE' },
      cookie: current,
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/account')
    const rows = await t.db
      .selectFrom('super_admin_sessions')
      .select('id')
      .where('super_admin_id', '=', ada.admin.id)
      .execute()
    expect(rows.map((r) => r.id)).toEqual([sessionId(current)])
    expect(await sessionRow(beas)).toBeDefined()
    expect((await auditFor('auth.session.end_others', ada)).map((e) => e.after)).toEqual([
      { ended: others.length },
    ])
  })
})

describe('sign everyone out', () => {
  it('the settings page shows how many sessions will end', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    // Live sessions only: rows past the idle or absolute limit are not "sessions that will end".
    const policy = {
      idleSeconds: t.config.sessionIdleSeconds,
      absoluteSeconds: t.config.sessionAbsoluteSeconds,
    }
    const sessions = await countAllSessions(t.db, policy, new Date(t.clock.now()))
    expect(sessions).toBeGreaterThan(0)
    await t.db
      .insertInto('super_admin_sessions')
      .values({
        id: 'expired'.padEnd(32, 'x'),
        super_admin_id: owner.admin.id,
        secret_hash: new Uint8Array(32),
        two_factor_verified: true,
        created_at: new Date(0),
        last_active_at: new Date(0),
      })
      .execute()

    const page = await (await send('GET', '/settings/security', { cookie })).text()

    expect(page).toContain(`<strong id="session-count">${sessions}</strong>`)
  })

  it('an admin without saas.settings.edit is refused and no session ends', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)
    const before = await countRows(t.db, 'super_admin_sessions')

    const res = await send('DELETE', '/settings/security/sessions', { cookie })

    expect(res.status).toBe(403)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
  })

  it('ends every session in the database at once, audits how many, and sends the operator to /login', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const bea = await createSuperAdmin(t.db, t.config)
    const beas = await signIn(t.app, bea, t.clock)
    await halfSession(bea)
    const cookie = await signIn(t.app, owner, t.clock)
    const sessions = await countRows(t.db, 'super_admin_sessions')

    const res = await send('POST', '/settings/security/sessions', {
      fields: { _method: 'DELETE' },
      cookie,
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(res.headers.getSetCookie().join()).toMatch(/fleetdeck_session=;/)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(0)
    expect((await auditEntries(t.db, 'auth.session.end_all')).at(-1)).toMatchObject({
      actor_id: owner.admin.id,
      after: { ended: sessions },
    })
    expect((await send('GET', '/tenants', { cookie: beas })).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
  })
})

describe('security headers', () => {
  let cookie: string

  beforeAll(async () => {
    cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
  })

  function csp(res: Response): Map<string, string> {
    const header = res.headers.get('content-security-policy') ?? ''
    return new Map(
      header
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name, ...values] = d.split(/\s+/)
          return [name, values.join(' ')]
        }),
    )
  }

  it('every page carries a strict Content-Security-Policy with a fresh script nonce', async () => {
    const responses = [
      await send('GET', '/login'),
      await send('GET', '/login'),
      await send('GET', '/tenants', { cookie }),
      await send('GET', '/no-such-page'),
    ]

    const policies = responses.map(csp)
    for (const policy of policies) {
      expect(policy.get('default-src')).toBe("'self'")
      expect(policy.get('script-src')).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=_-]{16,}'$/)
      expect(policy.get('object-src')).toBe("'none'")
      expect(policy.get('base-uri')).toBe("'none'")
      expect(policy.get('frame-ancestors')).toBe("'none'")
      expect(policy.get('form-action')).toBe("'self'")
    }
    const nonces = policies.map((p) => p.get('script-src'))
    expect(new Set(nonces).size).toBe(nonces.length)
  })

  it('pages are never cached, never sniffed and never framed; referrers stay on the site', async () => {
    for (const res of [
      await send('GET', '/login'),
      await send('GET', '/tenants', { cookie }),
      await send('GET', '/account', { cookie }),
    ]) {
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('same-origin')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
    }
  })

  it('static files may be cached', async () => {
    const res = await send('GET', '/public/app.js')

    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).not.toBe('no-store')
  })

  it('with PUBLIC_URL set, a request addressed to another host (DNS rebinding) gets 421; health probes still answer', async () => {
    const https = await createTestAppWith({ PUBLIC_URL: 'https://fleetdeck.example.com' }, t)

    const rebound = await send('GET', 'http://attacker.example/login', { app: https.app })
    const right = await send('GET', 'http://fleetdeck.example.com/login', { app: https.app })
    const probe = await send('GET', 'http://10.0.0.7:3000/healthz', { app: https.app })

    expect(rebound.status).toBe(421)
    expect(right.status).toBe(200)
    expect(probe.status).toBe(200)
  })

  it('HSTS is sent only when PUBLIC_URL is https', async () => {
    const https = await createTestAppWith({ PUBLIC_URL: 'https://fleetdeck.example.com' }, t)

    const plain = await send('GET', '/login')
    const secure = await send('GET', '/login', { app: https.app })

    expect(plain.headers.get('strict-transport-security')).toBeNull()
    expect(secure.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    )
  })
})

describe('cross-site requests', () => {
  let owner: TestAdmin
  let cookie: string
  let other: string

  beforeAll(async () => {
    owner = await createSuperAdmin(t.db, t.config)
    other = await signIn(t.app, owner, t.clock)
    cookie = await signIn(t.app, owner, t.clock)
  })

  async function state() {
    return {
      sessions: await countRows(t.db, 'super_admin_sessions'),
      audit: await countRows(t.db, 'audit_log'),
      attempts: await countAttempts(),
      allowlist: await getGlobalAllowlist(t.db),
    }
  }

  /** Unsafe requests that would each change something if they were let through. */
  function unsafeRequests(): [string, string, Record<string, string>][] {
    return [
      ['POST', '/login', { email: owner.admin.email, password: owner.password }],
      ['POST', '/logout', {}],
      ['POST', '/account/sessions', { _method: 'DELETE' }],
      ['POST', '/settings/security', { allowlist: OPERATOR_IP }],
      ['POST', '/settings/security/sessions', { _method: 'DELETE' }],
      ['DELETE', '/settings/security/sessions', {}],
    ]
  }

  it('an unsafe request with a cross-site Origin is refused with 403 and nothing changes', async () => {
    const before = await state()

    for (const [method, path, fields] of unsafeRequests()) {
      const res = await send(method, path, { fields, cookie, origin: EVIL_ORIGIN })
      expect([method, path, res.status]).toEqual([method, path, 403])
    }

    expect(await state()).toEqual(before)
    expect(await sessionRow(other)).toBeDefined()
  })

  it('a cross-site Sec-Fetch-Site, a null Origin, no Origin at all, or a text/plain body are refused too', async () => {
    const before = await state()
    const variants: SendOptions[] = [
      { origin: EVIL_ORIGIN, headers: { 'sec-fetch-site': 'cross-site' } },
      { origin: 'null' },
      { origin: null },
      { origin: null, headers: { 'sec-fetch-site': 'same-site' } },
      { origin: EVIL_ORIGIN, headers: { 'content-type': 'text/plain' } },
    ]

    for (const variant of variants) {
      const res = await send('POST', '/settings/security/sessions', {
        fields: { _method: 'DELETE' },
        cookie,
        ...variant,
      })
      expect([variant, res.status]).toEqual([variant, 403])
    }
    const bodiless = await t.app.request('/logout', {
      method: 'POST',
      headers: { cookie, origin: EVIL_ORIGIN },
    })
    expect(bodiless.status).toBe(403)

    expect(await state()).toEqual(before)
  })

  it('a same-origin request passes, by Origin or by Sec-Fetch-Site', async () => {
    const byOrigin = await send('POST', '/login', {
      fields: { email: 'x@example.com', password: 'y' },
    })
    const bySecFetch = await send('POST', '/login', {
      fields: { email: 'x@example.com', password: 'y' },
      origin: null,
      headers: { 'sec-fetch-site': 'same-origin' },
    })

    expect(byOrigin.status).toBe(401)
    expect(bySecFetch.status).toBe(401)
  })

  it("PUBLIC_URL's origin passes behind a TLS-terminating proxy", async () => {
    const https = await createTestAppWith({ PUBLIC_URL: 'https://fleetdeck.example.com' }, t)
    const fields = { email: 'x@example.com', password: 'y' }

    const proxied = await send('POST', 'http://fleetdeck.example.com/login', {
      app: https.app,
      fields,
      origin: 'https://fleetdeck.example.com',
    })
    const evil = await send('POST', 'http://fleetdeck.example.com/login', {
      app: https.app,
      fields,
      origin: 'https://fleetdeck.example.com.evil.example',
    })

    expect(proxied.status).toBe(401)
    expect(evil.status).toBe(403)
  })
})

describe('request bodies', () => {
  it('a repeated or unknown _method is refused with 400 before any handler runs', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    const tenant = await createTenant(t.db)
    const post = (body: string) =>
      t.app.request(`/tenants/${tenant.id}/suspension`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost',
          cookie,
        },
        body,
      })

    for (const body of [
      '_method=DELETE&_method=GET',
      '_method=DELETE&_method=%20',
      '_method=PUT',
      '_method=GET',
    ]) {
      expect((await post(body)).status, body).toBe(400)
    }
    expect(
      (
        await t.db
          .selectFrom('tenants')
          .select('status')
          .where('id', '=', tenant.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('active')
  })

  it('a body over 64 KB is refused with 413 before it is parsed, even at /login', async () => {
    const res = await t.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: `email=a%40b.c&password=${'x'.repeat(70 * 1024)}`,
    })
    expect(res.status).toBe(413)
  })
})
