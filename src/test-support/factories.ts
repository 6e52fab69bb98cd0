import { randomBytes } from 'node:crypto'
import { generateHOTP } from '@oslojs/otp'
import { createApp, type App } from '../app.js'
import { deriveKey, encryptSecret } from '../auth/encryption.js'
import { hashPassword } from '../auth/password.js'
import { generateTotpKey, TOTP_DIGITS, TOTP_PERIOD_SECONDS, totpStepAt } from '../auth/totp.js'
import { loadConfig, type Config } from '../config.js'
import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import type { OperatorRole } from '../db/schema.js'
import { findSuperAdminById, insertSuperAdmin, type SuperAdmin } from '../db/super-admins.js'
import { findTenantById, type Tenant } from '../db/tenants.js'
import { openTestDatabase } from '../db/test-database.js'
import { createTenantRecord, runOnboarding, type NewTenant } from '../tenancy/onboarding.js'

// Factories for tests that go through the database and `app.request()`. Each test file opens one
// database (PGlite in memory, or a fresh database on TEST_DATABASE_URL) and builds rows with
// these, never with fixed ids.

/** The cookie that carries the session when PUBLIC_URL is plain http (every test). */
export const SESSION_COOKIE = 'fleetdeck_session'

/** A clock the app reads instead of Date.now(), in milliseconds since the epoch. */
export type TestClock = {
  now(): number
  advance(ms: number): void
  set(ms: number): void
}

export type TestApp = {
  app: App
  db: Db
  database: DatabaseHandle
  config: Config
  clock: TestClock
  close(): Promise<void>
}

export function createClock(start = Date.now()): TestClock {
  let nowMs = start
  return {
    now: () => nowMs,
    advance: (ms) => void (nowMs += ms),
    set: (ms) => void (nowMs = ms),
  }
}

export function testConfig(): Config {
  return loadConfig(
    { FLEETDECK_SECRET_KEY: 'x'.repeat(40), NODE_ENV: 'test', FLEETDECK_DATA_DIR: '/tmp/unused' },
    () => {},
  )
}

/** A migrated database of its own and the whole app on top of it, with a clock tests move. */
export async function createTestApp(): Promise<TestApp> {
  const database = await openTestDatabase()
  const config = testConfig()
  const clock = createClock()
  const app = createApp({ config, database, now: clock.now })
  return { app, db: database.db, database, config, clock, close: () => database.close() }
}

/** An admin who can sign in: password and TOTP enrolled; keep `password` and `totpKey` to do so. */
export type TestAdmin = { admin: SuperAdmin; password: string; totpKey: Uint8Array }

let sequence = 0

/** A short unique suffix: lowercase letters and digits, usable in slugs and emails. */
export function uniqueSuffix(): string {
  sequence += 1
  return `${sequence}${randomBytes(3).toString('hex')}`
}

/** Inserts an active, fully enrolled super admin (role `owner` unless overridden). */
export async function createSuperAdmin(
  db: Db,
  config: Config,
  overrides: {
    email?: string
    name?: string
    role?: OperatorRole
    password?: string
    isActive?: boolean
  } = {},
): Promise<TestAdmin> {
  const password = overrides.password ?? `correct horse ${uniqueSuffix()}`
  const totpKey = generateTotpKey()
  const inserted = await insertSuperAdmin(db, {
    email: overrides.email ?? `admin-${uniqueSuffix()}@example.com`,
    name: overrides.name ?? 'Ada Admin',
    role: overrides.role ?? 'owner',
  })
  await db
    .updateTable('super_admins')
    .set({
      password_hash: await hashPassword(password),
      totp_secret_encrypted: encryptSecret(deriveKey(config.secretKey, 'totp-secret'), totpKey),
      mfa_enabled: true,
      is_active: overrides.isActive ?? true,
    })
    .where('id', '=', inserted.id)
    .execute()
  const admin = await findSuperAdminById(db, inserted.id)
  return { admin: admin!, password, totpKey }
}

/** The 6-digit code an authenticator shows for `key` at `nowMs` (RFC 6238, 30 s steps). */
export function totpCode(key: Uint8Array, nowMs: number): string {
  return generateHOTP(key, BigInt(totpStepAt(nowMs)), TOTP_DIGITS)
}

/** A well-formed code that matches none of the steps T-1, T, T+1 a verifier accepts at `nowMs`. */
export function wrongTotpCode(key: Uint8Array, nowMs: number): string {
  const step = totpStepAt(nowMs)
  const accepted = [step - 1, step, step + 1].map((s) => generateHOTP(key, BigInt(s), TOTP_DIGITS))
  for (let n = 0; ; n++) {
    const code = String(n).padStart(TOTP_DIGITS, '0')
    if (!accepted.includes(code)) return code
  }
}

/** `name=value` of one cookie set by the response, or undefined. */
export function cookieFrom(res: Response, name: string = SESSION_COOKIE): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';')
    const eq = pair.indexOf('=')
    if (pair.slice(0, eq).trim() === name && pair.slice(eq + 1) !== '') return pair.trim()
  }
  return undefined
}

/** The password step alone: returns the half-session cookie (`fleetdeck_session=…`). */
export async function signInWithPasswordOnly(app: App, who: TestAdmin): Promise<string> {
  const res = await postForm(app, '/login', { email: who.admin.email, password: who.password })
  const cookie = cookieFrom(res)
  if (res.status !== 303 || !cookie) throw new Error(`password step failed: ${res.status}`)
  return cookie
}

/**
 * Password and TOTP through the real routes; returns the full-session cookie header. The clock
 * moves one TOTP step first, because each step is accepted once per admin (RFC 6238 §5.2).
 */
export async function signIn(app: App, who: TestAdmin, clock: TestClock): Promise<string> {
  clock.advance(TOTP_PERIOD_SECONDS * 1000)
  const half = await signInWithPasswordOnly(app, who)
  const res = await postForm(app, '/login/totp', { code: totpCode(who.totpKey, clock.now()) }, half)
  const cookie = cookieFrom(res)
  if (res.status !== 303 || !cookie) throw new Error(`TOTP step failed: ${res.status}`)
  return cookie
}

/** A form post, as a browser without JavaScript sends it. */
export function postForm(
  app: App,
  path: string,
  fields: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return sendForm(app, 'POST', path, fields, cookie, headers)
}

/** A form-encoded request with any verb (htmx sends DELETE itself). */
export async function sendForm(
  app: App,
  method: string,
  path: string,
  fields: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return app.request(path, {
    method,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // Browsers send Origin on every form post; the CSRF check refuses posts without it.
      origin: 'http://localhost',
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  })
}

/** A GET with the session cookie and optional headers (`HX-Request`, …). */
export async function getPage(
  app: App,
  path: string,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return app.request(path, { headers: { ...(cookie ? { cookie } : {}), ...headers } })
}

/** The fields of a valid create-tenant form, with a unique slug. */
export function newTenantFields(overrides: Partial<NewTenant> = {}): NewTenant {
  const suffix = uniqueSuffix()
  return {
    slug: `t${suffix}`,
    name: `Tenant ${suffix}`,
    planId: 'free',
    billingEmail: `billing-${suffix}@example.com`,
    firstAdminEmail: `owner-${suffix}@example.com`,
    firstAdminName: `Owner ${suffix}`,
    ...overrides,
  }
}

/**
 * A tenant made the way the console makes one (record, then the onboarding pipeline); `active`
 * unless onboarding fails. Returns the tenant as it is afterwards.
 */
export async function createTenant(
  db: Db,
  overrides: Partial<NewTenant> & { context?: AuditContext; now?: Date } = {},
): Promise<Tenant> {
  const { context = { actor: null }, now = new Date(), ...fields } = overrides
  const created = await createTenantRecord(db, context, newTenantFields(fields), now)
  if (!created.ok) throw new Error(`slug taken: ${fields.slug}`)
  await runOnboarding(db, context, created.tenant.id)
  return (await findTenantById(db, created.tenant.id))!
}

/** How many rows a table holds: "nothing changed" checks compare these. */
export async function countRows(
  db: Db,
  table:
    'tenants' | 'audit_log' | 'super_admins' | 'super_admin_sessions' | 'memberships' | 'users',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Audit entries with one action, oldest first. */
export function auditEntries(db: Db, action: string) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('seq')
    .execute()
}

/**
 * The app with environment overrides for loadConfig (`TRUST_PROXY`, `PUBLIC_URL`, …). With
 * `on`, it shares that app's database and clock (and `close()` leaves them open); otherwise it
 * opens a database of its own like `createTestApp`.
 */
export async function createTestAppWith(
  overrides: Record<string, string>,
  on?: TestApp,
): Promise<TestApp> {
  const database = on?.database ?? (await openTestDatabase())
  const config = loadConfig(
    {
      FLEETDECK_SECRET_KEY: 'x'.repeat(40),
      NODE_ENV: 'test',
      FLEETDECK_DATA_DIR: '/tmp/unused',
      ...overrides,
    },
    () => {},
  )
  const clock = on?.clock ?? createClock()
  const app = createApp({ config, database, now: clock.now })
  const close = on ? async () => {} : () => database.close()
  return { app, db: database.db, database, config, clock, close }
}
