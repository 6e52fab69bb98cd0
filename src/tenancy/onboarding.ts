import { sql, type Kysely } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { migrateTenant } from '../db/migrate.js'
import { findTenantById, tenantSchemaName, toTenant, type Tenant } from '../db/tenants.js'
import { refreshTenantStorage } from './storage.js'
import { TENANT_ROLES } from './tenant-roles.js'

// The onboarding pipeline of DESIGN.md §3. Every step is idempotent and records its outcome in
// tenant_provisioning_steps, so a failed or interrupted onboarding can simply be run again.

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
}

/**
 * Inserts the tenant in `provisioning` with its pending steps and audits `tenant.create`, in one
 * transaction. A taken slug is an expected outcome, not an error.
 * @returns the tenant, or `{ slugTaken: true }` when the slug already exists (deleted tenants
 *   keep theirs).
 */
export async function createTenantRecord(
  db: Db,
  context: AuditContext,
  input: NewTenant,
  now: Date = new Date(),
): Promise<Tenant | { slugTaken: true }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('tenants')
      .values({
        id: crypto.randomUUID(),
        slug: input.slug,
        name: input.name,
        status: 'provisioning',
        plan_id: input.planId,
        billing_email: input.billingEmail,
        first_admin_email: input.firstAdminEmail,
        first_admin_name: input.firstAdminName,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (!inserted) return { slugTaken: true as const }
    await trx
      .insertInto('tenant_provisioning_steps')
      .values(
        ONBOARDING_STEPS.map((step, position) => ({
          tenant_id: inserted.id,
          step,
          position,
          status: 'pending' as const,
        })),
      )
      .execute()
    const tenant = toTenant(inserted)
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
        },
      },
      now,
    )
    return tenant
  })
}

export type OnboardingOutcome =
  | { ok: true }
  | { ok: false; step: OnboardingStep; error: string }
  /** Another run holds the claim (a double-clicked Retry). */
  | { ok: false; busy: true }

/** One line for an operator: where and why an onboarding did not finish. */
export function describeOnboardingFailure(
  outcome: Exclude<OnboardingOutcome, { ok: true }>,
): string {
  if ('busy' in outcome) return 'is already being onboarded by another request'
  return `failed at “${STEP_LABELS[outcome.step]}”: ${outcome.error}`
}

/** An onboarding that has not written for this long is taken as interrupted (Retry is offered). */
export const STALE_ONBOARDING_MS = 5 * 60_000

/** Failed, or provisioning with no progress for STALE_ONBOARDING_MS (a crash mid-pipeline). */
export function canRetryOnboarding(
  tenant: Pick<Tenant, 'status' | 'updatedAt'>,
  now: Date,
): boolean {
  if (tenant.status === 'failed') return true
  return (
    tenant.status === 'provisioning' &&
    now.getTime() - tenant.updatedAt.getTime() >= STALE_ONBOARDING_MS
  )
}

/**
 * Runs every step that is not yet done, in order. First it claims the tenant with a
 * compare-and-set on `updated_at`, so two runs (a double-clicked Retry) cannot interleave; a
 * retry of a failed tenant is audited. Each step's work is idempotent; its outcome and audit
 * entry (`tenant.provision.<step>`) commit together. On a failure the step and the tenant become
 * `failed` with the error kept for the tenant page, and the pipeline stops there. A tenant that
 * leaves `provisioning` meanwhile (deleted) stops the pipeline without being revived.
 */
export async function runOnboarding(
  db: Db,
  context: AuditContext,
  tenantId: string,
): Promise<OnboardingOutcome> {
  const tenant = await findTenantById(db, tenantId)
  if (!tenant || !['provisioning', 'failed'].includes(tenant.status)) {
    throw new Error(`tenant ${tenantId} is not awaiting onboarding`)
  }
  if (!(await claimOnboarding(db, context, tenant))) return { ok: false, busy: true }
  const done = await db
    .selectFrom('tenant_provisioning_steps')
    .select('step')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'done')
    .execute()
  for (const step of ONBOARDING_STEPS) {
    if (done.some((d) => d.step === step)) continue
    if (!(await stillProvisioning(db, tenantId)))
      return { ok: false, step, error: 'the tenant left provisioning (deleted?)' }
    const started = new Date()
    try {
      await STEP_WORK[step](db, tenant)
      await db.transaction().execute(async (trx) => {
        await markStep(trx, tenantId, step, {
          status: 'done',
          error: null,
          started_at: started,
          finished_at: new Date(),
        })
        await appendAuditEntry(trx, context, {
          action: `tenant.provision.${step}`,
          targetType: 'tenant',
          targetId: tenantId,
          tenantId,
        })
      })
    } catch (cause) {
      const error = (cause as Error).message?.slice(0, 500) || 'unknown error'
      await recordFailure(db, context, tenantId, step, error, started)
      return { ok: false, step, error }
    }
  }
  await refreshTenantStorage(db, tenant.id, tenant.slug).catch(() => undefined)
  return { ok: true }
}

/**
 * Takes the tenant for one pipeline run, in one compare-and-set: a failed tenant, a new one
 * never claimed (updated_at still equals created_at), or one whose run went quiet for
 * STALE_ONBOARDING_MS. The claim moves updated_at, so a second run finds nothing to claim.
 */
async function claimOnboarding(db: Db, context: AuditContext, tenant: Tenant): Promise<boolean> {
  const now = new Date()
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('tenants')
      .set({
        status: 'provisioning',
        provisioning_error: null,
        updated_at: sql`greatest(${now}::timestamptz, created_at + interval '1 millisecond')`,
      })
      .where('id', '=', tenant.id)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'failed'),
          eb.and([
            eb('status', '=', 'provisioning'),
            eb.or([
              eb('updated_at', '=', eb.ref('created_at')),
              eb('updated_at', '<=', new Date(now.getTime() - STALE_ONBOARDING_MS)),
            ]),
          ]),
        ]),
      )
      .returning('id')
      .executeTakeFirst()
    if (claimed && tenant.status === 'failed') {
      await appendAuditEntry(trx, context, {
        action: 'tenant.provision.retry',
        targetType: 'tenant',
        targetId: tenant.id,
        tenantId: tenant.id,
        before: { status: 'failed', error: tenant.onboardingError },
        after: { status: 'provisioning' },
      })
    }
    return claimed !== undefined
  })
}

async function stillProvisioning(db: Db, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('tenants')
    .select('status')
    .where('id', '=', tenantId)
    .executeTakeFirst()
  return row?.status === 'provisioning'
}

async function recordFailure(
  db: Db,
  context: AuditContext,
  tenantId: string,
  step: OnboardingStep,
  error: string,
  started: Date,
) {
  await db.transaction().execute(async (trx) => {
    await markStep(trx, tenantId, step, {
      status: 'failed',
      error,
      started_at: started,
      finished_at: new Date(),
    })
    // Only a tenant still provisioning becomes failed: a deleted one stays deleted.
    await trx
      .updateTable('tenants')
      .set({
        status: 'failed',
        provisioning_error: `${STEP_LABELS[step]}: ${error}`,
        updated_at: new Date(),
      })
      .where('id', '=', tenantId)
      .where('status', '=', 'provisioning')
      .execute()
    await appendAuditEntry(trx, context, {
      action: 'tenant.provision.failed',
      targetType: 'tenant',
      targetId: tenantId,
      tenantId,
      after: { step, error },
    })
  })
}

function markStep(
  trx: Db,
  tenantId: string,
  step: OnboardingStep,
  values: { status: 'done' | 'failed'; error: string | null; started_at: Date; finished_at: Date },
) {
  return trx
    .updateTable('tenant_provisioning_steps')
    .set(values)
    .where('tenant_id', '=', tenantId)
    .where('step', '=', step)
    .execute()
}

const STEP_WORK: Record<OnboardingStep, (db: Db, tenant: Tenant) => Promise<void>> = {
  async create_schema(db, tenant) {
    await sql`create schema if not exists ${sql.id(tenantSchemaName(tenant.slug))}`.execute(db)
  },
  async migrate(db, tenant) {
    await migrateTenant(db as Kysely<any>, tenantSchemaName(tenant.slug))
  },
  async seed_roles(db, tenant) {
    const tdb = (db as Kysely<any>).withSchema(tenantSchemaName(tenant.slug))
    await tdb.transaction().execute(async (trx) => {
      for (const role of TENANT_ROLES) {
        await trx
          .insertInto('roles')
          .values({ name: role.name, description: role.description })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute()
        const { id } = await trx
          .selectFrom('roles')
          .select('id')
          .where('name', '=', role.name)
          .executeTakeFirstOrThrow()
        await trx
          .insertInto('role_permissions')
          .values(role.permissions.map((permission) => ({ role_id: id, permission })))
          .onConflict((oc) => oc.columns(['role_id', 'permission']).doNothing())
          .execute()
      }
    })
  },
  async first_admin(db, tenant) {
    await db.transaction().execute(async (trx) => {
      const userId = await upsertUser(trx, tenant.firstAdminEmail, tenant.firstAdminName)
      const added = await trx
        .insertInto('memberships')
        .values({ user_id: userId, tenant_id: tenant.id, role: 'owner', created_at: new Date() })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
        .returning('user_id')
        .executeTakeFirst()
      if (added) {
        await (trx as Kysely<any>)
          .withSchema(tenantSchemaName(tenant.slug))
          .insertInto('audit_log')
          .values({
            actor: 'platform',
            action: 'member.added',
            details: JSON.stringify({ email: tenant.firstAdminEmail, role: 'owner' }),
          })
          .execute()
      }
    })
  },
  async activate(db, tenant) {
    const activated = await db
      .updateTable('tenants')
      .set({ status: 'active', updated_at: new Date(), last_activity_at: new Date() })
      .where('id', '=', tenant.id)
      .where('status', '=', 'provisioning')
      .executeTakeFirst()
    if (Number(activated.numUpdatedRows) !== 1)
      throw new Error('the tenant is no longer provisioning')
  },
}

/** The global user for an email, created when new; returns its id. */
export async function upsertUser(trx: Db, email: string, name: string): Promise<string> {
  const existing = await trx
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst()
  if (existing) return existing.id
  const row = await trx
    .insertInto('users')
    .values({ id: crypto.randomUUID(), email, name, status: 'active', created_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
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
  const rows = await db
    .selectFrom('tenant_provisioning_steps')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute()
  return rows.map((r) => ({
    step: r.step as OnboardingStep,
    label: STEP_LABELS[r.step as OnboardingStep] ?? r.step,
    status: r.status,
    error: r.error,
    finishedAt: r.finished_at,
  }))
}
