import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import { beforeAll } from 'vitest'
import { createKit, type Kit } from '@fleetdeck/kit'
import { activeSigningKey } from '../../../src/auth/signing-keys.js'
import type { MembershipRole } from '../../../src/db/schema.js'
import type { Tenant } from '../../../src/db/tenants.js'
import {
  addMembership,
  createAppKey,
  createSuperAdmin,
  createTenant,
  createUser,
} from '../../../src/test-support/factories.js'
import { useTestApp, type TestContext } from '../../../src/test-support/test-app.js'
import { boardOf, saveCredentials } from '../src/board-db.js'
import { createExampleApp, type ExampleApp } from '../src/app.js'
import { connectFlags } from '../src/flags.js'
import { hashPassword } from '../src/passwords.js'

// The example app in-process against the real Fleetdeck in-process (useTestApp, with the app's
// tenant migrations configured): the kit's fetch goes to Fleetdeck's `app.request`, both share
// the test's database and clock. Fleetdeck's factories make tenants, users and impersonations.

export const APP_URL = 'http://127.0.0.1:3001'
export const EXAMPLE_MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url))
export const PASSWORD = 'correct horse battery staple'

export type Person = { id: string; email: string; name: string }
export type Workspace = { tenant: Tenant; owner: Person }

export type ExampleHarness = {
  readonly t: TestContext
  readonly app: ExampleApp
  readonly kit: Kit
  readonly appKeyId: string
  /** Every call the app made to Fleetdeck, as 'POST /ofrep/v1/evaluate/flags/drawings-beta'. */
  readonly calls: string[]
  /** A tenant (onboarded with the app's migration) whose owner has the password PASSWORD. */
  workspace(overrides?: { planId?: string }): Promise<Workspace>
  /** A user with a membership of `tenant` and the password PASSWORD. */
  person(tenant: Tenant, role?: MembershipRole): Promise<Person>
  signIn(slug: string, email: string, password?: string): Promise<Response>
  /** Signs in and returns the session cookie; throws when the sign-in fails. */
  cookieOf(slug: string, email: string): Promise<string>
  get(path: string, cookie?: string): Promise<Response>
  post(path: string, fields: Record<string, string>, cookie?: string): Promise<Response>
  /** An active impersonation of `user` issued to this app, landed through the real handoff. */
  impersonate(
    workspace: Workspace,
    user: Person,
    mode: 'read_only' | 'read_write',
  ): Promise<{ id: string; cookie: string; operatorEmail: string }>
}

export function useExampleApp(): ExampleHarness {
  const t = useTestApp({ TENANT_MIGRATION_DIRS: EXAMPLE_MIGRATIONS })
  let app: ExampleApp | undefined
  let kit: Kit | undefined
  let appKeyId = ''
  const calls: string[] = []
  beforeAll(async () => {
    const { key, token } = await createAppKey(t.db, { appUrl: APP_URL, name: 'Notes board' })
    appKeyId = key.id
    const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : undefined
      const url = new URL(request ? request.url : String(input))
      calls.push(`${init?.method ?? request?.method ?? 'GET'} ${url.pathname}`)
      return t.app.request(request ?? String(input), init)
    }) as typeof globalThis.fetch
    kit = createKit({
      fleetdeckUrl: t.config.publicUrl,
      appKey: token,
      appUrl: APP_URL,
      fetch,
      now: t.clock.now,
    })
    const flags = await connectFlags({
      fleetdeckUrl: t.config.publicUrl,
      appKey: token,
      fetch,
      now: t.clock.now,
    })
    app = createExampleApp({
      kit,
      flags,
      db: t.db,
      cookieSecret: 's'.repeat(40),
      now: t.clock.now,
    })
  })
  const open = () => {
    if (!app) throw new Error('useExampleApp: the app opens in beforeAll')
    return app
  }

  const harness: ExampleHarness = {
    t,
    get app() {
      return open()
    },
    get kit() {
      open()
      return kit!
    },
    get appKeyId() {
      return appKeyId
    },
    calls,
    async workspace(overrides = {}) {
      const tenant = await createTenant(t.db, {
        planId: overrides.planId ?? 'free',
        tenantMigrationDirs: t.config.tenantMigrationDirs,
      })
      const owner = await t.db
        .selectFrom('users')
        .select(['id', 'email', 'name'])
        .where('email', '=', tenant.firstAdminEmail)
        .executeTakeFirstOrThrow()
      await saveCredentials(boardOf(t.db, tenant.slug), owner.email, await hashPassword(PASSWORD))
      return { tenant, owner }
    },
    async person(tenant, role = 'member') {
      const user = await createUser(t.db)
      await addMembership(t.db, user, tenant, role)
      await saveCredentials(boardOf(t.db, tenant.slug), user.email, await hashPassword(PASSWORD))
      return { id: user.id, email: user.email, name: user.name }
    },
    signIn: (slug, email, password = PASSWORD) =>
      harness.post(`/t/${slug}/sign-in`, { email, password }),
    async cookieOf(slug, email) {
      const res = await harness.signIn(slug, email)
      const cookie = cookiesOf(res)
      if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`)
      return cookie
    },
    get: async (path, cookie) => open().request(path, { headers: cookie ? { cookie } : {} }),
    post: async (path, fields, cookie) =>
      open().request(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(cookie ? { cookie } : {}),
        },
        body: new URLSearchParams(fields).toString(),
      }),
    async impersonate(workspace, user, mode) {
      const token = await handoffToken(t, appKeyId, workspace.tenant, user, mode)
      const res = await harness.get(`/_fleetdeck/handoff?token=${token.jws}`)
      const cookie = cookiesOf(res)
      if (res.status !== 303 || !cookie) throw new Error(`handoff failed: ${res.status}`)
      return { id: token.id, cookie, operatorEmail: token.operatorEmail }
    },
  }
  return harness
}

/** The `name=value` pairs a response sets (the non-empty ones), as one Cookie header. */
export function cookiesOf(res: Response): string | undefined {
  const pairs = res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0].trim())
    .filter((pair) => !pair.endsWith('='))
  return pairs.length ? pairs.join('; ') : undefined
}

/**
 * An impersonation row issued to the app key and its handoff token, signed with Fleetdeck's
 * active key exactly as PROTOCOL.md describes (the console's "View as" does the same).
 */
async function handoffToken(
  t: TestContext,
  appKeyId: string,
  tenant: Tenant,
  user: Person,
  mode: 'read_only' | 'read_write',
) {
  const operator = await createSuperAdmin(t.db, t.config, { role: 'support' })
  const jti = randomBytes(16).toString('base64url')
  const now = t.clock.now()
  const row = await t.db
    .insertInto('impersonations')
    .values({
      operator_id: operator.admin.id,
      operator_email: operator.admin.email,
      tenant_id: tenant.id,
      user_id: user.id,
      app_key_id: appKeyId,
      reason: 'Customer asked for help with their board',
      ticket: 'SUP-1234',
      mode,
      started_at: new Date(now),
      expires_at: new Date(now + 30 * 60_000),
      handoff_jti: jti,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const key = await activeSigningKey(t.db, t.config, new Date(now))
  const iat = Math.floor(now / 1000)
  const jws = await new SignJWT({
    tenant_id: tenant.id,
    tenant_slug: tenant.slug,
    act: { sub: operator.admin.id, email: operator.admin.email },
    imp: row.id,
    mode,
    jti,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'fleetdeck-handoff+jwt' })
    .setIssuer(t.config.publicUrl)
    .setAudience(APP_URL)
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(key.privateKey)
  return { id: row.id, jws, operatorEmail: operator.admin.email }
}
