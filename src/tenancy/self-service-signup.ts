import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { lockOfferedPlan } from '../db/plan-writes.js'
import { listPlans, type Plan } from '../db/plans.js'
import { invalidateSettingsCache } from '../db/settings.js'
import { getSignupSettings, setSignupSettings, type SignupSettings } from '../db/signup-settings.js'
import { findTenantById, type Tenant } from '../db/tenants.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { createTenantRecord, runOnboarding, type OnboardingOutcome } from './onboarding.js'

// Self-service signup (issue 10 item 6; seed 002 "Disable public signup"): whether tenant apps
// may create workspaces, on which plan, and the signup itself through the onboarding pipeline.

/** What a signup would get now, from the settings and the plans (a pure reading of both). */
export type SignupOffer = {
  /** Signup is on and some plan can take the new tenant. */
  open: boolean
  publicSignup: boolean
  /** The plan a signup lands on now; undefined when no plan can take new tenants. */
  plan: Plan | undefined
  /** The plan the owner chose, when they chose one that still exists (it may be archived). */
  chosen: Plan | undefined
  /** The owner chose a plan that is archived or gone: signups use the first public plan. */
  fallback: boolean
}

/**
 * The plan self-service signups land on: the owner's choice while it is not archived, else the
 * first public, non-archived plan by sort order (Free on a new database, baseline migration).
 * @param plans every plan in display order (listPlans)
 */
export function signupOffer(settings: SignupSettings, plans: Plan[]): SignupOffer {
  const chosen = plans.find((p) => p.id === settings.defaultPlanId)
  const firstPublic = plans.find((p) => p.isPublic && !p.archivedAt)
  const usable = chosen && !chosen.archivedAt ? chosen : undefined
  const plan = usable ?? firstPublic
  return {
    open: settings.publicSignup && plan !== undefined,
    publicSignup: settings.publicSignup,
    plan,
    chosen,
    fallback: settings.defaultPlanId !== null && !usable,
  }
}

/**
 * Saves the signup settings, audited as `settings.signup` with both settings before and after
 * (no entry, `changed` false, when nothing changed). A chosen plan must exist and not be
 * archived, checked under a share lock so it cannot be archived before the commit.
 */
export async function saveSignupSettings(
  db: Db,
  context: AuditContext,
  settings: SignupSettings,
  updatedBy: string | null,
  now: Date,
): Promise<DomainResult<{ changed: boolean }, 'plan_unavailable'>> {
  const result = await db.transaction().execute(async (trx) => {
    const before = await getSignupSettings(trx, { forUpdate: true })
    if (settings.defaultPlanId && !(await lockOfferedPlan(trx, settings.defaultPlanId)))
      return refuse('plan_unavailable')
    if (JSON.stringify(before) === JSON.stringify(settings))
      return { ok: true as const, changed: false }
    await setSignupSettings(trx, settings, updatedBy, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.signup',
        targetType: 'settings',
        targetId: 'signup',
        before,
        after: settings,
      },
      now,
    )
    return { ok: true as const, changed: true }
  })
  // Again after the commit: a request that re-read the settings mid-transaction saw the old ones.
  invalidateSettingsCache()
  return result
}

/** A workspace asked for through a tenant app; the signer-up becomes its first admin (owner). */
export type SelfServiceSignup = {
  slug: string
  name: string
  ownerName: string
  ownerEmail: string
  /** The app key's name, audited as `via` on `tenant.create`. */
  via: string
}

/**
 * Creates a tenant for a self-service signup through the onboarding pipeline
 * (createTenantRecord, then runOnboarding) on the plan signupOffer names, with the signer-up as
 * its owner and billing email. The settings and plans are read from the database, not a cache:
 * a signup must never land on a plan archived on another instance. A plan archived between that
 * read and the insert is read again once.
 * @returns the tenant as onboarding left it (`active`, or `failed` with the step in
 *   `onboarding`), or `signup_closed` (signup is off, or no plan takes new tenants), `slug_taken`
 */
export async function signUpTenant(
  db: Db,
  context: AuditContext,
  input: SelfServiceSignup,
  options: { now: Date; tenantMigrationDirs?: readonly string[] },
): Promise<
  DomainResult<
    { tenant: Tenant; plan: Plan; onboarding: OnboardingOutcome },
    'signup_closed' | 'slug_taken'
  >
> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const offer = signupOffer(await getSignupSettings(db), await listPlans(db))
    if (!offer.open || !offer.plan) return refuse('signup_closed')
    const created = await createTenantRecord(
      db,
      context,
      {
        slug: input.slug,
        name: input.name,
        planId: offer.plan.id,
        billingEmail: input.ownerEmail,
        firstAdminEmail: input.ownerEmail,
        firstAdminName: input.ownerName,
        via: input.via,
      },
      options.now,
    )
    if (!created.ok && created.reason === 'plan_unavailable') continue
    if (!created.ok) return refuse('slug_taken')
    const onboarding = await runOnboarding(db, context, created.tenant.id, {
      tenantMigrationDirs: options.tenantMigrationDirs,
    })
    const tenant = (await findTenantById(db, created.tenant.id)) ?? created.tenant
    return { ok: true, tenant, plan: offer.plan, onboarding }
  }
  return refuse('signup_closed')
}
