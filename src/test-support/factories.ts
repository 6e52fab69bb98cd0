import { randomBytes } from 'node:crypto'
import { generateHOTP } from '@oslojs/otp'
import { generateAppKey } from '../auth/app-keys.js'
import { deriveKey, encryptSecret } from '../auth/encryption.js'
import { hashPassword } from '../auth/password.js'
import { generateTotpKey, TOTP_DIGITS, totpStepAt } from '../auth/totp.js'
import type { Config } from '../config.js'
import { insertAppKey, type AppKey } from '../db/app-keys.js'
import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { findFlagByKey, type FeatureFlag } from '../db/flags.js'
import type { FlagValue, MembershipRole, OperatorRole } from '../db/schema.js'
import type { FlagDefinition } from '../flags/resolve.js'
import { findUserById, type User, type UserStatus } from '../db/users.js'
import { findSuperAdminById, insertSuperAdmin, type SuperAdmin } from '../db/super-admins.js'
import { findTenantById, type Tenant } from '../db/tenants.js'
import { createTenantRecord, runOnboarding, type NewTenant } from '../tenancy/onboarding.js'

// Factories for tests that go through the database and `app.request()`. Each test file opens one
// database (PGlite in memory, or a fresh database on TEST_DATABASE_URL) and builds rows with
// these, never with fixed ids. The app itself comes from ./test-app.ts, requests from
// ./requests.ts, database checks from ./database-state.ts and HTML queries from ./html.ts.

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
 * unless onboarding fails. Returns the tenant as it is afterwards. `tenantMigrationDirs`
 * (`t.config.tenantMigrationDirs` of an app started with TENANT_MIGRATION_DIRS) adds a tenant
 * app's own migrations to the schema.
 */
export async function createTenant(
  db: Db,
  overrides: Partial<NewTenant> & {
    context?: AuditContext
    now?: Date
    tenantMigrationDirs?: readonly string[]
  } = {},
): Promise<Tenant> {
  const { context = { actor: null }, now = new Date(), tenantMigrationDirs, ...fields } = overrides
  const created = await createTenantRecord(db, context, newTenantFields(fields), now)
  if (!created.ok) throw new Error(`slug taken: ${fields.slug}`)
  await runOnboarding(db, context, created.tenant.id, { tenantMigrationDirs })
  return (await findTenantById(db, created.tenant.id))!
}

/** A tenant user (active unless overridden), inserted directly; returns its row as the app reads it. */
export async function createUser(
  db: Db,
  overrides: {
    email?: string
    name?: string
    status?: UserStatus
    createdAt?: Date
    lastLoginAt?: Date | null
  } = {},
): Promise<User> {
  const suffix = uniqueSuffix()
  const id = crypto.randomUUID()
  await db
    .insertInto('users')
    .values({
      id,
      email: overrides.email ?? `user-${suffix}@example.com`,
      name: overrides.name ?? `User ${suffix}`,
      status: overrides.status ?? 'active',
      created_at: overrides.createdAt ?? new Date(),
      last_login_at: overrides.lastLoginAt ?? null,
    })
    .execute()
  return (await findUserById(db, id))!
}

/** Makes `user` a member of `tenant` with `role` (member unless given). */
export async function addMembership(
  db: Db,
  user: { id: string },
  tenant: { id: string },
  role: MembershipRole = 'member',
  createdAt = new Date(),
): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ user_id: user.id, tenant_id: tenant.id, role, created_at: createdAt })
    .execute()
}

/**
 * A usable app key for the kit API, inserted directly; `token` is the `fdk_…` bearer a tenant app
 * presents (Authorization: Bearer <token>).
 */
export async function createAppKey(
  db: Db,
  overrides: { name?: string; appUrl?: string; createdBy?: string | null; now?: Date } = {},
): Promise<{ key: AppKey; token: string }> {
  const fresh = generateAppKey()
  const key = await insertAppKey(
    db,
    {
      id: fresh.id,
      name: overrides.name ?? `App ${uniqueSuffix()}`,
      appUrl: overrides.appUrl ?? 'http://127.0.0.1:3001',
      secretHash: fresh.secretHash,
      createdBy: overrides.createdBy ?? null,
    },
    overrides.now ?? new Date(),
  )
  return { key, token: fresh.token }
}

/**
 * A feature flag inserted directly (boolean, off, no rules unless given), with its plan values
 * and tenant overrides; returns it as the app reads it. The key is unique unless given.
 */
export async function createFlag(
  db: Db,
  overrides: Partial<Omit<FlagDefinition, 'archived'>> & {
    description?: string
    archived?: boolean
    overrides?: Record<string, FlagValue>
  } = {},
): Promise<FeatureFlag> {
  const key = overrides.key ?? `flag-${uniqueSuffix()}`
  const type = overrides.type ?? 'boolean'
  const inserted = await db
    .insertInto('feature_flags')
    .values({
      key,
      description: overrides.description ?? '',
      type,
      variants: overrides.variants ?? [],
      default_value: JSON.stringify(overrides.defaultValue ?? (type === 'boolean' ? false : '')),
      rollout_percentage: overrides.rolloutPercentage ?? 0,
      rollout_value:
        overrides.rolloutValue === undefined || overrides.rolloutValue === null
          ? null
          : JSON.stringify(overrides.rolloutValue),
      rollout_plan_ids: overrides.rolloutPlanIds ?? [],
      archived_at: overrides.archived ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  for (const [planId, value] of Object.entries(overrides.planValues ?? {}))
    await db
      .insertInto('feature_flag_plan_values')
      .values({ flag_id: inserted.id, plan_id: planId, value: JSON.stringify(value) })
      .execute()
  for (const [tenantId, value] of Object.entries(overrides.overrides ?? {}))
    await db
      .insertInto('feature_flag_overrides')
      .values({
        flag_id: inserted.id,
        tenant_id: tenantId,
        value: JSON.stringify(value),
        updated_at: new Date(),
      })
      .execute()
  return (await findFlagByKey(db, key))!
}
