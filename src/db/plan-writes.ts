import type { Transaction } from 'kysely'
import type { Database } from './schema.js'
import { toPlan, type Plan } from './plans.js'

// Writes to `plans` (issue 9 item 1). Only src/plans/ calls these, inside its transactions, and
// calls `forgetPlans(db)` after the commit.

/** What an operator sets on a plan: prices in cents, quotas (null = unlimited), storage in bytes. */
export type PlanFields = {
  name: string
  priceCentsMonthly: number
  priceCentsYearly: number
  /** ISO 4217, lower case (`usd`). */
  currency: string
  maxMembers: number | null
  maxStorageBytes: number | null
  maxCustomDomains: number | null
  maxApiCallsPerDay: number | null
  isPublic: boolean
}

function toRow(f: PlanFields) {
  return {
    name: f.name,
    price_cents_monthly: f.priceCentsMonthly,
    price_cents_yearly: f.priceCentsYearly,
    currency: f.currency,
    max_members: f.maxMembers,
    max_storage_bytes: f.maxStorageBytes,
    max_custom_domains: f.maxCustomDomains,
    max_api_calls_per_day: f.maxApiCallsPerDay,
    is_public: f.isPublic,
  }
}

/**
 * Inserts a plan after the last one in display order.
 * @returns the plan, or undefined when a plan with this id already exists (nothing inserted).
 */
export async function insertPlan(
  trx: Transaction<Database>,
  id: string,
  fields: PlanFields,
  now: Date,
): Promise<Plan | undefined> {
  const last = await trx
    .selectFrom('plans')
    .select((eb) => eb.fn.max('sort_order').as('n'))
    .executeTakeFirst()
  const row = await trx
    .insertInto('plans')
    .values({
      id,
      ...toRow(fields),
      sort_order: Number(last?.n ?? 0) + 1,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst()
  return row && toPlan(row)
}

/** The plan with its row locked until the transaction ends, or undefined. */
export async function findPlanForUpdate(
  trx: Transaction<Database>,
  id: string,
): Promise<Plan | undefined> {
  const row = await trx
    .selectFrom('plans')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  return row && toPlan(row)
}

/** Replaces the plan's editable fields; returns the plan as stored. */
export async function updatePlanFields(
  trx: Transaction<Database>,
  id: string,
  fields: PlanFields,
  now: Date,
): Promise<Plan> {
  const row = await trx
    .updateTable('plans')
    .set({ ...toRow(fields), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return toPlan(row)
}

/** Sets (a Date) or clears (null) the plan's archived time. */
export async function setPlanArchivedAt(
  trx: Transaction<Database>,
  id: string,
  archivedAt: Date | null,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('plans')
    .set({ archived_at: archivedAt, updated_at: now })
    .where('id', '=', id)
    .execute()
}

/**
 * Tenants whose `plan_id` is this plan, deleted ones included: a deleted tenant keeps its row
 * and its foreign key to the plan, so it holds the plan as much as a live one.
 */
export async function countTenantsHoldingPlan(
  trx: Transaction<Database>,
  id: string,
): Promise<number> {
  const row = await trx
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('plan_id', '=', id)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Deletes the plan row; its per-plan flag values go with it (ON DELETE CASCADE). */
export async function deletePlanRow(trx: Transaction<Database>, id: string): Promise<void> {
  await trx.deleteFrom('plans').where('id', '=', id).execute()
}

/**
 * True when the plan exists and is not archived, holding a share lock on its row until the
 * transaction ends, so an archive that commits meanwhile waits (and a tenant never joins a plan
 * archived under it). Tenant creation and edits call this before putting a tenant on a plan.
 */
export async function lockOfferedPlan(trx: Transaction<Database>, id: string): Promise<boolean> {
  const row = await trx
    .selectFrom('plans')
    .select('archived_at')
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst()
  return row !== undefined && row.archived_at === null
}
