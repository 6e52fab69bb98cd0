import { generateAppKey } from '../auth/app-keys.js'
import { insertAppKey, listUsableAppKeys, revokeAppKeyRow } from '../db/app-keys.js'
import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle } from '../db/database.js'
import { findTenantBySlug, type Tenant } from '../db/tenants.js'
import { upsertUser } from '../db/users.js'
import { addMembership } from '../people/memberships.js'
import {
  createTenantRecord,
  describeOnboardingFailure,
  runOnboarding,
} from '../tenancy/onboarding.js'
import { seedDemoFleet } from './demo-fleet.js'

// What `npm run demo` needs on first run: a small faker fleet plus Acme — the tenant the demo
// signs in to — with Ada as its owner and two more members; and on every run a fresh app key for
// the example app (a key's secret is shown once, so a restarted demo cannot reuse the last one).

export const DEMO_SLUG = 'acme'
export const DEMO_APP_KEY_NAME = 'Notes board (npm run demo)'

/** Acme's people; Ada is its first admin (owner), Alice is the one an operator may disable. */
export const ACME_PEOPLE = [
  { email: 'ada@acme.test', name: 'Ada Lovelace', role: 'owner' },
  { email: 'alice@acme.test', name: 'Alice Hopper', role: 'member' },
  { email: 'grace@acme.test', name: 'Grace Admin', role: 'admin' },
] as const

const context: AuditContext = { actor: null, requestId: 'demo' }

/**
 * Acme (and, on first run, 11 faker tenants beside it) through the real onboarding pipeline with
 * `tenantMigrationDirs`, so the example app's tables exist in every schema.
 * @returns Acme, and whether this run created it
 */
export async function ensureDemoFleet(
  handle: DatabaseHandle,
  tenantMigrationDirs: readonly string[],
): Promise<{ acme: Tenant; created: boolean }> {
  const existing = await findTenantBySlug(handle.db, DEMO_SLUG)
  if (existing) return { acme: existing, created: false }
  await seedDemoFleet(handle, { tenants: 11, users: 60, joinRequests: true, tenantMigrationDirs })
  const [ada, ...others] = ACME_PEOPLE
  const record = await createTenantRecord(handle.db, context, {
    slug: DEMO_SLUG,
    name: 'Acme',
    planId: 'free',
    billingEmail: 'billing@acme.test',
    firstAdminEmail: ada.email,
    firstAdminName: ada.name,
  })
  if (!record.ok) throw new Error(`could not create ${DEMO_SLUG}`)
  const outcome = await runOnboarding(handle.db, context, record.tenant.id, { tenantMigrationDirs })
  if (!outcome.ok) throw new Error(`tenant ${DEMO_SLUG} ${describeOnboardingFailure(outcome)}`)
  for (const person of others) {
    const userId = await upsertUser(handle.db, person.email, person.name)
    await addMembership(handle.db, context, { userId, slug: DEMO_SLUG, role: person.role })
  }
  return { acme: (await findTenantBySlug(handle.db, DEMO_SLUG))!, created: true }
}

/**
 * A new app key for the example app at `appUrl`, revoking the ones earlier demo runs made.
 * @returns the bearer token `fdk_<id>.<secret>`, handed to the kit in-process
 */
export async function issueDemoAppKey(handle: DatabaseHandle, appUrl: string): Promise<string> {
  const now = new Date()
  for (const key of await listUsableAppKeys(handle.db))
    if (key.name === DEMO_APP_KEY_NAME) await revokeAppKeyRow(handle.db, key.id, null, now)
  const fresh = generateAppKey()
  await insertAppKey(
    handle.db,
    {
      id: fresh.id,
      name: DEMO_APP_KEY_NAME,
      appUrl,
      secretHash: fresh.secretHash,
      createdBy: null,
    },
    now,
  )
  return fresh.token
}
