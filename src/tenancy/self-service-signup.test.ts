import { describe, expect, it } from 'vitest'
import { listPlans, type Plan } from '../db/plans.js'
import {
  DEFAULT_PUBLIC_SIGNUP,
  getCachedSignupSettings,
  getSignupSettings,
} from '../db/signup-settings.js'
import { findTenantBySlug } from '../db/tenants.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createTenant, uniqueSuffix } from '../test-support/factories.js'
import { insertTestPlan } from '../test-support/plan-scenes.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { setPlanArchived } from '../plans/plan-lifecycle.js'
import { saveSignupSettings, signupOffer, signUpTenant } from './self-service-signup.js'

// Self-service signup (issue 10 item 6): which plan a signup lands on, the audited settings,
// and the signup itself through the onboarding pipeline.

const t = useTestDatabase()
const context = { actor: null, requestId: 'req-signup' }
const now = () => new Date()

function plan(id: string, o: Partial<Plan> = {}): Plan {
  return {
    id,
    name: id.toUpperCase(),
    priceCentsMonthly: 0,
    priceCentsYearly: 0,
    currency: 'usd',
    maxMembers: null,
    maxStorageBytes: null,
    maxCustomDomains: null,
    maxApiCallsPerDay: null,
    sortOrder: 1,
    isPublic: true,
    archivedAt: null,
    ...o,
  }
}

function signup(overrides: Partial<Parameters<typeof signUpTenant>[2]> = {}) {
  const suffix = uniqueSuffix()
  return {
    slug: `s${suffix}`,
    name: `Signup ${suffix}`,
    ownerName: `Owner ${suffix}`,
    ownerEmail: `owner-${suffix}@example.com`,
    via: 'Notes board',
    ...overrides,
  }
}

describe('the signup offer', () => {
  const hidden = plan('hidden', { isPublic: false, sortOrder: 0 })
  const free = plan('free', { sortOrder: 1 })
  const pro = plan('pro', { sortOrder: 2 })
  const old = plan('old', { archivedAt: new Date(), sortOrder: 3 })

  it('lands on the first public plan when the owner chose none', () => {
    const offer = signupOffer({ publicSignup: true, defaultPlanId: null }, [hidden, free, pro])
    expect(offer).toMatchObject({ open: true, plan: free, fallback: false })
  })

  it('lands on the chosen plan, public or not', () => {
    expect(signupOffer({ publicSignup: true, defaultPlanId: 'pro' }, [free, pro]).plan).toBe(pro)
    expect(signupOffer({ publicSignup: true, defaultPlanId: 'hidden' }, [hidden, free]).plan).toBe(
      hidden,
    )
  })

  it('falls back to the first public plan when the chosen one is archived or gone', () => {
    const archived = signupOffer({ publicSignup: true, defaultPlanId: 'old' }, [free, old])
    expect(archived).toMatchObject({ open: true, plan: free, chosen: old, fallback: true })
    const gone = signupOffer({ publicSignup: true, defaultPlanId: 'gone' }, [free])
    expect(gone).toMatchObject({ plan: free, chosen: undefined, fallback: true })
  })

  it('is closed when signup is off, or when no plan can take new tenants', () => {
    expect(signupOffer({ publicSignup: false, defaultPlanId: null }, [free]).open).toBe(false)
    const none = signupOffer({ publicSignup: true, defaultPlanId: null }, [hidden, old])
    expect(none).toMatchObject({ open: false, plan: undefined })
  })
})

describe('saving the signup settings', () => {
  it('is open on the first public plan on a new database', async () => {
    expect(DEFAULT_PUBLIC_SIGNUP).toBe(true)
    expect(await getSignupSettings(t.db)).toEqual({ publicSignup: true, defaultPlanId: null })
    const offer = signupOffer(await getSignupSettings(t.db), await listPlans(t.db))
    expect(offer.plan?.id).toBe('free')
  })

  it('stores both settings and audits them before and after', async () => {
    const before = await getSignupSettings(t.db)
    const after = { publicSignup: !before.publicSignup, defaultPlanId: 'professional' }

    const result = await saveSignupSettings(t.db, context, after, null, now())

    expect(result).toEqual({ ok: true, changed: true })
    expect(await getSignupSettings(t.db)).toEqual(after)
    expect(await getCachedSignupSettings(t.db, Date.now())).toEqual(after)
    expect((await auditEntries(t.db, 'settings.signup')).at(-1)).toMatchObject({
      target_id: 'signup',
      before,
      after,
    })
  })

  it('writes no audit entry when nothing changed', async () => {
    const same = await getSignupSettings(t.db)
    const audit = await countRows(t.db, 'audit_log')
    expect(await saveSignupSettings(t.db, context, same, null, now())).toEqual({
      ok: true,
      changed: false,
    })
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('refuses an archived or unknown plan, changing nothing', async () => {
    const archived = await insertTestPlan(t.db, { archived: true })
    const before = await getSignupSettings(t.db)
    const audit = await countRows(t.db, 'audit_log')
    for (const defaultPlanId of [archived, 'no-such-plan']) {
      const result = await saveSignupSettings(
        t.db,
        context,
        { publicSignup: true, defaultPlanId },
        null,
        now(),
      )
      expect(result).toEqual({ ok: false, reason: 'plan_unavailable' })
    }
    expect(await getSignupSettings(t.db)).toEqual(before)
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })
})

describe('signing up', () => {
  it('creates an active tenant on the default plan with the signer-up as owner, audited via the app', async () => {
    await saveSignupSettings(
      t.db,
      context,
      { publicSignup: true, defaultPlanId: 'professional' },
      null,
      now(),
    )
    const input = signup()

    const result = await signUpTenant(t.db, context, input, { now: now() })

    expect(result).toMatchObject({ ok: true, plan: { id: 'professional' } })
    const tenant = await findTenantBySlug(t.db, input.slug)
    expect(tenant).toMatchObject({ status: 'active', planId: 'professional', name: input.name })
    const owner = await t.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.email', 'memberships.role'])
      .where('memberships.tenant_id', '=', tenant!.id)
      .execute()
    expect(owner).toEqual([{ email: input.ownerEmail, role: 'owner' }])
    const [created] = (await auditEntries(t.db, 'tenant.create')).filter(
      (e) => e.target_id === tenant!.id,
    )
    expect(created).toMatchObject({
      actor_id: null,
      after: { slug: input.slug, plan: 'professional', via: 'Notes board' },
    })
  })

  it('never lands on an archived default plan: it falls back to the first public plan', async () => {
    const chosen = await insertTestPlan(t.db)
    await saveSignupSettings(
      t.db,
      context,
      { publicSignup: true, defaultPlanId: chosen },
      null,
      now(),
    )
    await setPlanArchived(t.db, context, chosen, true)
    const input = signup()

    const result = await signUpTenant(t.db, context, input, { now: now() })

    expect(result).toMatchObject({ ok: true, plan: { id: 'free' } })
    expect((await findTenantBySlug(t.db, input.slug))?.planId).toBe('free')
  })

  it('refuses when signup is off, creating nothing', async () => {
    await saveSignupSettings(
      t.db,
      context,
      { publicSignup: false, defaultPlanId: null },
      null,
      now(),
    )
    const tenants = await countRows(t.db, 'tenants')

    const result = await signUpTenant(t.db, context, signup(), { now: now() })

    expect(result).toEqual({ ok: false, reason: 'signup_closed' })
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
  })

  it('refuses a taken slug, creating nothing', async () => {
    await saveSignupSettings(
      t.db,
      context,
      { publicSignup: true, defaultPlanId: null },
      null,
      now(),
    )
    const existing = await createTenant(t.db)
    const tenants = await countRows(t.db, 'tenants')

    const result = await signUpTenant(t.db, context, signup({ slug: existing.slug }), {
      now: now(),
    })

    expect(result).toEqual({ ok: false, reason: 'slug_taken' })
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
  })
})
