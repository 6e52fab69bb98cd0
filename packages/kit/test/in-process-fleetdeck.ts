import { randomBytes } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'
import { activeSigningKey, rotateSigningKey } from '../../../src/auth/signing-keys.js'
import { findApiCallsOn } from '../../../src/db/api-usage.js'
import { listTenantAuditEntries } from '../../../src/db/tenant-audit-log.js'
import { saveSignupSettings } from '../../../src/tenancy/self-service-signup.js'
import {
  addMembership,
  createAppKey,
  createFlag,
  createSuperAdmin,
  createTenant,
  createUser,
} from '../../../src/test-support/factories.js'
import { createTestApp } from '../../../src/test-support/test-app.js'
import { HANDOFF_TYP } from '../src/handoff.js'
import {
  kitFor,
  loggingFetch,
  type FleetdeckUnderTest,
  type HandoffOverrides,
} from './fleetdeck-under-test.js'

const APP_URL = 'http://127.0.0.1:3001'

/**
 * The real Fleetdeck, started in-process on a database of its own (createTestApp), reached
 * through `app.request`; rows are made with Fleetdeck's test factories. Handoffs are signed with
 * its active signing key exactly as PROTOCOL.md describes, with the jti recorded on the row.
 */
export async function inProcessFleetdeck(): Promise<FleetdeckUnderTest> {
  const t = await createTestApp()
  const { key, token } = await createAppKey(t.db, { appUrl: APP_URL })
  const calls: string[] = []
  const fetch = loggingFetch(
    ((input: RequestInfo | URL, init?: RequestInit) =>
      t.app.request(
        input instanceof Request ? input : String(input),
        init,
      )) as typeof globalThis.fetch,
    calls,
  )
  const date = () => new Date(t.clock.now())
  const base = {
    fleetdeckUrl: t.config.publicUrl,
    appKey: token,
    appUrl: APP_URL,
    calls,
    clock: t.clock,
    fetch,
  }
  const fd: FleetdeckUnderTest = {
    ...base,
    kit: (overrides) => kitFor(base, overrides),
    async createTenant(options = {}) {
      const tenant = await createTenant(t.db, { now: date(), ...options })
      return { id: tenant.id, slug: tenant.slug, name: tenant.name }
    },
    async createFlag({ key, planValues, overrides }) {
      await createFlag(t.db, { key, planValues, overrides })
    },
    apiCallsToday: (tenant) => findApiCallsOn(t.db, tenant.id, date()),
    async setTenantStatus(tenant, status) {
      await t.db
        .updateTable('tenants')
        .set({ status, suspended_at: status === 'suspended' ? date() : null })
        .where('id', '=', tenant.id)
        .execute()
    },
    async setSignup(publicSignup, defaultPlanId = null) {
      const settings = { publicSignup, defaultPlanId }
      const saved = await saveSignupSettings(t.db, { actor: null }, settings, null, date())
      if (!saved.ok) throw new Error(`signup settings refused: ${saved.reason}`)
    },
    async createMember(tenant, role = 'member') {
      const user = await createUser(t.db)
      await addMembership(t.db, user, tenant, role)
      return { id: user.id, email: user.email, name: user.name }
    },
    async setUserStatus(user, status) {
      await t.db.updateTable('users').set({ status }).where('id', '=', user.id).execute()
    },
    async startImpersonation(tenant, user, { mode = 'read_only', minutes = 30 } = {}) {
      const operator = await createSuperAdmin(t.db, t.config, { role: 'support' })
      const row = await t.db
        .insertInto('impersonations')
        .values({
          operator_id: operator.admin.id,
          operator_email: operator.admin.email,
          tenant_id: tenant.id,
          user_id: user.id,
          app_key_id: key.id,
          reason: 'Customer asked for help with their board',
          ticket: 'SUP-1234',
          mode,
          started_at: date(),
          expires_at: new Date(t.clock.now() + minutes * 60_000),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return { id: row.id, operatorEmail: operator.admin.email }
    },
    async endImpersonation(id) {
      const row = await t.db
        .selectFrom('impersonations')
        .select('operator_id')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      await t.db
        .updateTable('impersonations')
        .set({ ended_at: date(), end_reason: 'ended', ended_by: row.operator_id })
        .where('id', '=', id)
        .execute()
    },
    async handoffToken(id, overrides = {}) {
      const imp = await t.db
        .selectFrom('impersonations')
        .innerJoin('tenants', 'tenants.id', 'impersonations.tenant_id')
        .select([
          'impersonations.user_id',
          'impersonations.operator_id',
          'impersonations.operator_email',
          'impersonations.mode',
          'tenants.id as tenant_id',
          'tenants.slug',
        ])
        .where('impersonations.id', '=', id)
        .executeTakeFirstOrThrow()
      const jti = randomBytes(16).toString('base64url')
      await t.db
        .updateTable('impersonations')
        .set({ handoff_jti: jti })
        .where('id', '=', id)
        .execute()
      const active = await activeSigningKey(t.db, t.config, date())
      const signer = overrides.unknownKey
        ? { kid: 'not-published', privateKey: (await generateKeyPair('EdDSA')).privateKey }
        : active
      const iat = Math.floor(t.clock.now() / 1000)
      return signHandoff(
        {
          iss: t.config.publicUrl,
          aud: APP_URL,
          sub: imp.user_id,
          tenant_id: imp.tenant_id,
          tenant_slug: imp.slug,
          act: { sub: imp.operator_id, email: imp.operator_email },
          imp: id,
          mode: imp.mode,
          iat,
          exp: iat + 60,
          jti,
          ...overrides.claims,
        },
        { alg: 'EdDSA', kid: signer.kid, typ: HANDOFF_TYP, ...overrides.header },
        signer.privateKey,
      )
    },
    async rotateSigningKey() {
      const rotated = await rotateSigningKey(t.db, t.config, date())
      if (!rotated.ok) throw new Error('signing key rotation lost a race')
    },
    async signIns(user) {
      return t.db
        .selectFrom('user_sign_ins')
        .select(['outcome', 'detail'])
        .where('user_id', '=', user.id)
        .orderBy('at')
        .execute()
    },
    async tenantAudit(tenant) {
      const entries = await listTenantAuditEntries(t.db, tenant.slug, 500)
      return entries
        .reverse()
        .map((e) => ({ action: e.action, actor: e.actor, details: e.details }))
    },
    close: () => t.close(),
  }
  return fd
}

/** Signs `claims` as a compact JWS with `header` (undefined claims are dropped). */
export function signHandoff(
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
  key: CryptoKey,
): Promise<string> {
  const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined))
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key)
}
