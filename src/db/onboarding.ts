import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database } from './schema.js'
import { toTenant, type Tenant } from './tenants.js'

// The onboarding pipeline's rows (DESIGN.md §3): its steps (`tenant_provisioning_steps`) and the
// tenant's passage through `provisioning` (the status value keeps its name) to `active` or
// `failed`. The tenant row's updated_at doubles as the run's lease: a run renews it at every step.

export type OnboardingStepStatus = 'pending' | 'running' | 'done' | 'failed'

export type OnboardingStepRow = {
  step: string
  position: number
  status: OnboardingStepStatus
  error: string | null
  startedAt: Date | null
  finishedAt: Date | null
}

/** Inserts the pipeline's steps for a new tenant, all `pending`, in the given order. */
export async function insertOnboardingSteps(
  trx: Transaction<Database>,
  tenantId: string,
  steps: readonly string[],
): Promise<void> {
  await trx
    .insertInto('tenant_provisioning_steps')
    .values(
      steps.map((step, position) => ({
        tenant_id: tenantId,
        step,
        position,
        status: 'pending' as const,
      })),
    )
    .execute()
}

/** The tenant's steps, in pipeline order. */
export async function listOnboardingStepRows(
  db: Db,
  tenantId: string,
): Promise<OnboardingStepRow[]> {
  const rows = await db
    .selectFrom('tenant_provisioning_steps')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute()
  return rows.map((r) => ({
    step: r.step,
    position: r.position,
    status: r.status,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }))
}

/** Records a step's outcome; `error` is null for a step that is done. */
export async function markOnboardingStep(
  trx: Transaction<Database>,
  tenantId: string,
  step: string,
  outcome: { status: 'done' | 'failed'; error: string | null; startedAt: Date; finishedAt: Date },
): Promise<void> {
  await trx
    .updateTable('tenant_provisioning_steps')
    .set({
      status: outcome.status,
      error: outcome.error,
      started_at: outcome.startedAt,
      finished_at: outcome.finishedAt,
    })
    .where('tenant_id', '=', tenantId)
    .where('step', '=', step)
    .execute()
}

/**
 * Takes the tenant for one pipeline run: status `provisioning`, error cleared, and a fresh lease
 * (updated_at = now, but always after created_at, so the row no longer reads as never claimed).
 * The caller decides, on the row locked with `findTenantForUpdate`, that it may, and passes its
 * created_at as read there.
 * @returns the tenant as claimed
 */
export async function claimTenantOnboarding(
  trx: Transaction<Database>,
  tenant: { id: string; createdAt: Date },
  now: Date,
): Promise<Tenant> {
  const row = await trx
    .updateTable('tenants')
    .set({
      status: 'provisioning',
      provisioning_error: null,
      updated_at: claimLeaseAt(tenant.createdAt, now),
    })
    .where('id', '=', tenant.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return toTenant(row)
}

/**
 * The claim's lease start: `now`, or 1 ms past created_at when the clock reads earlier. Computed
 * here, not as `created_at + interval` in the UPDATE: Citus refuses a STABLE function over a
 * column in SET ("STABLE functions used in UPDATE queries cannot be called with column
 * references"), so the public tables could not be Citus-managed (issue 13 item 4). created_at
 * read into a Date is truncated to the millisecond, so + 1 ms is still strictly after it.
 */
export function claimLeaseAt(createdAt: Date, now: Date): Date {
  return new Date(Math.max(now.getTime(), createdAt.getTime() + 1))
}

/**
 * Renews the run's lease (updated_at = now) while the tenant is still `provisioning`.
 * @returns false when it left provisioning (deleted meanwhile)
 */
export async function renewOnboardingLease(
  trx: Transaction<Database>,
  id: string,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('tenants')
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'provisioning')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * `provisioning` → `failed` with the error shown on the tenant page. A tenant that left
 * provisioning meanwhile (deleted) is left as it is.
 * @returns whether the tenant became failed
 */
export async function failTenantOnboarding(
  trx: Transaction<Database>,
  id: string,
  error: string,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('tenants')
    .set({ status: 'failed', provisioning_error: error, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'provisioning')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * `provisioning` → `active`, its first activity at `now`.
 * @returns the tenant as activated, or undefined when it was no longer provisioning
 */
export async function activateOnboardedTenant(
  trx: Transaction<Database>,
  id: string,
  now: Date,
): Promise<Tenant | undefined> {
  const row = await trx
    .updateTable('tenants')
    .set({ status: 'active', updated_at: now, last_activity_at: now })
    .where('id', '=', id)
    .where('status', '=', 'provisioning')
    .returningAll()
    .executeTakeFirst()
  return row && toTenant(row)
}

/**
 * Tenants left `provisioning` or `failed` whose `tenant.create` audit entry carries this request
 * id (the seed writes `seed`): what an interrupted earlier run of that tool left behind. Oldest
 * first.
 */
export async function listTenantsAwaitingOnboardingCreatedBy(
  db: Db,
  requestId: string,
): Promise<Tenant[]> {
  const rows = await db
    .selectFrom('tenants')
    .selectAll()
    .where('status', 'in', ['provisioning', 'failed'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('audit_log')
          .select('seq')
          .where('audit_log.action', '=', 'tenant.create')
          .where('audit_log.request_id', '=', requestId)
          .whereRef('audit_log.tenant_id', '=', sql.ref('tenants.id')),
      ),
    )
    .orderBy('created_at')
    .execute()
  return rows.map(toTenant)
}
