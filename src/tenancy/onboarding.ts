import type { Transaction } from 'kysely'
import { lockOfferedPlan } from '../db/plan-writes.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { addMemberships } from '../db/memberships.js'
import { migrateTenant } from '../db/migrate.js'
import type { Database, TenantStatus } from '../db/schema.js'
import {
  activateOnboardedTenant,
  claimTenantOnboarding,
  failTenantOnboarding,
  insertOnboardingSteps,
  listOnboardingStepRows,
  markOnboardingStep,
  renewOnboardingLease,
} from '../db/onboarding.js'
import { createTenantSchema, seedTenantRoles, tenantSchemaName } from '../db/tenant-schema.js'
import { findTenantById, findTenantForUpdate, insertTenant, type Tenant } from '../db/tenants.js'
import { upsertUser } from '../db/users.js'
import { distributeTenantSchema } from '../fleet/citus.js'
import { refreshTenantStorage } from './storage.js'
import { enqueueTenantAuditEntries, transactWithTenantAudit } from './tenant-audit-delivery.js'
import { TENANT_ROLES } from './tenant-roles.js'

// The onboarding pipeline of DESIGN.md §3. Every step is idempotent and records its outcome in
// the onboarding steps table, so a failed or interrupted onboarding can simply be run again.
// Every transaction writes one side only, `public` or the tenant schema (issue 13 item 4): on
// Citus a transaction writing both commits one-phase, the worker first, so a crash between them
// would keep the tenant's rows and lose the public ones. A crash between two steps is repaired by
// Retry; the first admin's `member.added` entry goes through the tenant audit outbox.
// The tenant's status while it runs is `provisioning`; audit actions keep their historical
// `tenant.provision.*` names so the log reads the same before and after.

export const ONBOARDING_STEPS = [
  'create_schema',
  'migrate',
  'seed_roles',
  'first_admin',
  'activate',
] as const
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number]

export const STEP_LABELS: Record<OnboardingStep, string> = {
  create_schema: 'Create schema',
  migrate: 'Apply tenant migrations',
  seed_roles: 'Seed roles and permissions',
  first_admin: 'Add first admin',
  activate: 'Activate',
}

export type NewTenant = {
  slug: string
  name: string
  planId: string
  billingEmail: string
  firstAdminEmail: string
  firstAdminName: string
  /** The app key's name when a tenant app created it (self-service signup): audited as `via`. */
  via?: string
}

/**
 * Inserts the tenant in `provisioning` with its pending steps and audits `tenant.create`, in one
 * transaction. A taken slug is an expected outcome, not an error.
 * @returns the tenant, or `slug_taken` when the slug already exists (deleted tenants keep theirs),
 *   or `plan_unavailable` when the plan is unknown or archived (issue 9 item 1)
 */
export async function createTenantRecord(
  db: Db,
  context: AuditContext,
  input: NewTenant,
  now: Date = new Date(),
): Promise<DomainResult<{ tenant: Tenant }, 'slug_taken' | 'plan_unavailable'>> {
  return db.transaction().execute((trx) => insertTenantRecord(trx, context, input, now))
}

/**
 * createTenantRecord's work inside the caller's transaction `trx`, for a caller that must write
 * more in the same transaction (restore as a new tenant: issue 11 item 5, review finding 3).
 * On a refusal nothing was written; the caller decides whether to roll back its own work.
 */
export async function insertTenantRecord(
  trx: Transaction<Database>,
  context: AuditContext,
  input: NewTenant,
  now: Date,
): Promise<DomainResult<{ tenant: Tenant }, 'slug_taken' | 'plan_unavailable'>> {
  if (!(await lockOfferedPlan(trx, input.planId))) return refuse('plan_unavailable')
  const tenant = await insertTenant(trx, {
    ...input,
    id: crypto.randomUUID(),
    status: 'provisioning',
    createdAt: now,
  })
  if (!tenant) return refuse('slug_taken')
  await insertOnboardingSteps(trx, tenant.id, ONBOARDING_STEPS)
  await appendAuditEntry(
    trx,
    context,
    {
      action: 'tenant.create',
      targetType: 'tenant',
      targetId: tenant.id,
      tenantId: tenant.id,
      after: {
        slug: tenant.slug,
        name: tenant.name,
        plan: tenant.planId,
        billingEmail: tenant.billingEmail,
        firstAdminEmail: tenant.firstAdminEmail,
        ...(input.via ? { via: input.via } : {}),
      },
    },
    now,
  )
  return { ok: true as const, tenant }
}

export type OnboardingOutcome =
  | { ok: true }
  | { ok: false; step: OnboardingStep; error: string }
  /** Another run holds the claim (a double-clicked Retry). */
  | { ok: false; busy: true }
  /** It is no longer awaiting onboarding: another run finished it, or it was deleted. */
  | { ok: false; settled: TenantStatus }

/** One line for an operator: where and why an onboarding did not finish. */
export function describeOnboardingFailure(
  outcome: Exclude<OnboardingOutcome, { ok: true }>,
): string {
  if ('busy' in outcome) return 'is already being onboarded by another request'
  if ('settled' in outcome) return `is no longer awaiting onboarding (it is ${outcome.settled})`
  return `failed at “${STEP_LABELS[outcome.step]}”: ${outcome.error}`
}

/**
 * A run's lease: a run renews it at every step, so an onboarding that has not made progress for
 * this long is taken as interrupted (a crash or restart mid-pipeline) and may be retried.
 */
export const ONBOARDING_LEASE_MS = 5 * 60_000

export type OnboardingRetry = {
  /** Whether Retry may be used now. */
  available: boolean
  /** When Retry becomes (or became) available; null for a failed onboarding (at once). */
  availableAt: Date | null
  /** `failed`: a step failed. `interrupted`: no progress for the lease. `running`: lease held. */
  reason: 'failed' | 'interrupted' | 'running'
  /** The run's last progress (claim or finished step). */
  lastProgressAt: Date
  /** The lease a run holds after each progress, in milliseconds. */
  leaseMs: number
}

/**
 * Whether and when Retry is offered, for a tenant still onboarding (undefined otherwise):
 * at once when failed; when provisioning, once the run's lease has expired — until then a run may
 * still be working, and a second one would only find it busy.
 */
export function onboardingRetry(
  tenant: Pick<Tenant, 'status' | 'updatedAt'>,
  now: Date,
): OnboardingRetry | undefined {
  const lastProgressAt = tenant.updatedAt
  if (tenant.status === 'failed')
    return {
      available: true,
      availableAt: null,
      reason: 'failed',
      lastProgressAt,
      leaseMs: ONBOARDING_LEASE_MS,
    }
  if (tenant.status !== 'provisioning') return undefined
  const availableAt = new Date(lastProgressAt.getTime() + ONBOARDING_LEASE_MS)
  const available = now.getTime() >= availableAt.getTime()
  const reason = available ? 'interrupted' : 'running'
  return { available, availableAt, reason, lastProgressAt, leaseMs: ONBOARDING_LEASE_MS }
}

/** Failed, or provisioning with no progress for ONBOARDING_LEASE_MS (a crash mid-pipeline). */
export function canRetryOnboarding(
  tenant: Pick<Tenant, 'status' | 'updatedAt'>,
  now: Date,
): boolean {
  return onboardingRetry(tenant, now)?.available ?? false
}

export type OnboardingOptions = {
  /** Config.tenantMigrationDirs: folders whose migrations the `migrate` step also applies. */
  tenantMigrationDirs?: readonly string[]
}

/**
 * Runs every step that is not yet done, in order. First it claims the tenant (row lock, then
 * a new lease), so two runs (a double-clicked Retry) cannot interleave; a retry — of a failed
 * tenant, or of one whose run was interrupted — is audited as `tenant.provision.retry`. Each
 * step's work is idempotent; its outcome, the renewed lease and its audit entry
 * (`tenant.provision.<step>`) commit together, and the last step's status change to `active`
 * is part of that same transaction. On a failure the step and the tenant become `failed` with
 * the error kept for the tenant page, and the pipeline stops there. A tenant that leaves
 * `provisioning` meanwhile (deleted) stops the pipeline without being revived.
 */
export async function runOnboarding(
  db: Db,
  context: AuditContext,
  tenantId: string,
  options: OnboardingOptions = {},
): Promise<OnboardingOutcome> {
  const found = await findTenantById(db, tenantId)
  if (!found) throw new Error(`tenant ${tenantId} is not awaiting onboarding`)
  // A double-clicked Retry reads `failed` in the route and `active` here: an outcome, not a fault.
  if (!['provisioning', 'failed'].includes(found.status))
    return { ok: false, settled: found.status }
  const tenant = await claimOnboarding(db, context, tenantId, new Date())
  if (!tenant) return { ok: false, busy: true }
  const done = new Set(
    (await listOnboardingStepRows(db, tenantId))
      .filter((s) => s.status === 'done')
      .map((s) => s.step),
  )
  for (const step of ONBOARDING_STEPS) {
    if (done.has(step)) continue
    // A tenant deleted mid-run must not get its schema back from the next step.
    if ((await findTenantById(db, tenantId))?.status !== 'provisioning')
      return { ok: false, step, error: 'the tenant left onboarding (deleted?)' }
    const started = new Date()
    try {
      await STEP_WORK[step](db, tenant, options)
      await db.transaction().execute(async (trx) => {
        const finished = new Date()
        const change =
          step === 'activate'
            ? await activate(trx, tenantId, finished)
            : await renewLease(trx, tenantId, finished)
        await markOnboardingStep(trx, tenantId, step, {
          status: 'done',
          error: null,
          startedAt: started,
          finishedAt: finished,
        })
        await appendAuditEntry(trx, context, {
          action: `tenant.provision.${step}`,
          targetType: 'tenant',
          targetId: tenantId,
          tenantId,
          ...change,
        })
      })
    } catch (cause) {
      const error = (cause as Error).message?.slice(0, 500) || 'unknown error'
      await recordStepFailure(db, context, tenantId, step, error, started)
      return { ok: false, step, error }
    }
  }
  await refreshTenantStorage(db, tenant.id, tenant.slug).catch(() => undefined)
  return { ok: true }
}

type Trx = Transaction<Database>

async function activate(trx: Trx, tenantId: string, now: Date) {
  if (!(await activateOnboardedTenant(trx, tenantId, now)))
    throw new Error('the tenant is no longer onboarding (deleted?)')
  return { before: { status: 'provisioning' }, after: { status: 'active' } }
}

async function renewLease(trx: Trx, tenantId: string, now: Date) {
  if (!(await renewOnboardingLease(trx, tenantId, now)))
    throw new Error('the tenant left onboarding (deleted?)')
  return {}
}

/**
 * Takes the tenant for one pipeline run, on its locked row: a new tenant never claimed
 * (updated_at still equals created_at), a failed one, or one whose run's lease has expired.
 * The claim renews the lease, so a second run finds nothing to claim. A retry is audited with
 * what it retries.
 * @returns the tenant as claimed, or undefined when another run holds it
 */
async function claimOnboarding(
  db: Db,
  context: AuditContext,
  tenantId: string,
  now: Date,
): Promise<Tenant | undefined> {
  return db.transaction().execute(async (trx) => {
    const tenant = await findTenantForUpdate(trx, tenantId)
    if (!tenant) return undefined
    const neverClaimed =
      tenant.status === 'provisioning' && tenant.updatedAt.getTime() === tenant.createdAt.getTime()
    const retry = onboardingRetry(tenant, now)
    if (!neverClaimed && !retry?.available) return undefined
    const claimed = await claimTenantOnboarding(trx, tenant, now)
    if (!neverClaimed) {
      await appendAuditEntry(trx, context, {
        action: 'tenant.provision.retry',
        targetType: 'tenant',
        targetId: tenantId,
        tenantId,
        before:
          tenant.status === 'failed'
            ? { status: 'failed', error: tenant.onboardingError }
            : { status: 'provisioning', interrupted: true, lastProgressAt: tenant.updatedAt },
        after: { status: 'provisioning' },
      })
    }
    return claimed
  })
}

async function recordStepFailure(
  db: Db,
  context: AuditContext,
  tenantId: string,
  step: OnboardingStep,
  error: string,
  started: Date,
) {
  await db.transaction().execute(async (trx) => {
    const now = new Date()
    await markOnboardingStep(trx, tenantId, step, {
      status: 'failed',
      error,
      startedAt: started,
      finishedAt: now,
    })
    await failTenantOnboarding(trx, tenantId, `${STEP_LABELS[step]}: ${error}`, now)
    await appendAuditEntry(trx, context, {
      action: 'tenant.provision.failed',
      targetType: 'tenant',
      targetId: tenantId,
      tenantId,
      after: { step, error },
    })
  })
}

/**
 * The work of each step, outside the (public) transaction that records it; `activate` has none.
 * create_schema, migrate and seed_roles write the tenant schema only; first_admin public only.
 */
const STEP_WORK: Record<
  OnboardingStep,
  (db: Db, tenant: Tenant, options: OnboardingOptions) => Promise<void>
> = {
  async create_schema(db, tenant) {
    await createTenantSchema(db, tenant.slug)
    // On Citus, whatever citus.enable_schema_based_sharding says (issue 13 item 3); else a no-op.
    await distributeTenantSchema(db, tenantSchemaName(tenant.slug))
  },
  async migrate(db, tenant, options) {
    await migrateTenant(db, tenantSchemaName(tenant.slug), options.tenantMigrationDirs)
  },
  async seed_roles(db, tenant) {
    await seedTenantRoles(db, tenant.slug, TENANT_ROLES)
  },
  async first_admin(db, tenant) {
    // A retry after a crash past this commit adds no membership and so enqueues nothing: the
    // first run's outbox row is still there for the sweep, or already delivered.
    await transactWithTenantAudit(db, async (trx) => {
      const userId = await upsertUser(trx, tenant.firstAdminEmail, tenant.firstAdminName)
      const added = await addMemberships(trx, [
        { userId, tenantId: tenant.id, role: 'owner', createdAt: new Date() },
      ])
      if (added.length === 0) return
      await enqueueTenantAuditEntries(trx, tenant, [
        {
          actor: 'platform',
          action: 'member.added',
          details: { email: tenant.firstAdminEmail, role: 'owner' },
        },
      ])
    })
  },
  async activate() {},
}

export type StepState = {
  step: OnboardingStep
  label: string
  status: string
  error: string | null
  finishedAt: Date | null
}

/** The pipeline's steps for one tenant, in order, for the tenant page. */
export async function listOnboardingSteps(db: Db, tenantId: string): Promise<StepState[]> {
  const rows = await listOnboardingStepRows(db, tenantId)
  return rows.map((r) => ({
    step: r.step as OnboardingStep,
    label: STEP_LABELS[r.step as OnboardingStep] ?? r.step,
    status: r.status,
    error: r.error,
    finishedAt: r.finishedAt,
  }))
}
