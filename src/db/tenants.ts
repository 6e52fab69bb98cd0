import { sql, type RawBuilder, type Transaction } from 'kysely'
import { DAY_MS, DUNNING_DAYS } from '../billing/mrr.js'
import type { Db } from './database.js'
import { flagResolutionSql } from './flag-resolution-sql.js'
import type { FeatureFlag } from './flags.js'
import type { Database, FlagValue, TenantHealth, TenantRow, TenantStatus } from './schema.js'
import { tenantSchemaName } from './tenant-schema.js'
import type { TenantScope } from './tenant-scope.js'

export { tenantSchemaName } from './tenant-schema.js'
export { listPlans } from './plans.js'

export type Tenant = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  planId: string
  billingEmail: string
  firstAdminEmail: string
  firstAdminName: string
  /** Why onboarding failed (column `provisioning_error`); null once it succeeds. */
  onboardingError: string | null
  createdAt: Date
  updatedAt: Date
  suspendedAt: Date | null
  planChangedAt: Date | null
  deletedAt: Date | null
  /** Last sign-in or API use inside the tenant, as the tenant app reports it; null if never. */
  lastActivityAt: Date | null
  /** The latest fleet health check's verdict (issue 11); null before the first check. */
  health: TenantHealth | null
  healthCheckedAt: Date | null
  /** When a deleted tenant's schema and backups are purged (the grace period's end). */
  purgeAfter: Date | null
  /** Owner-set: cannot be deleted until unprotected. */
  protected: boolean
  /** MRR in cents of billingCurrency, kept by the billing projection; null without billing. */
  billingMrrCents: number | null
  /** Lower-case ISO 4217 code of billingMrrCents (issue 12). */
  billingCurrency: string | null
  /** The first failure of the unpaid last invoice: the 7-day dunning window's start (issue 12). */
  dunningStartedAt: Date | null
}

export type Storage = { dbBytes: number; fileBytes: number; takenAt: Date }

/** A row of the tenants table: only what it shows and acts on (each timestamp costs a parse). */
export type TenantListItem = Pick<
  Tenant,
  | 'id'
  | 'slug'
  | 'name'
  | 'status'
  | 'planId'
  | 'createdAt'
  | 'lastActivityAt'
  | 'health'
  | 'purgeAfter'
  | 'billingMrrCents'
  | 'billingCurrency'
  | 'dunningStartedAt'
> & {
  planName: string
  members: number
  storage: Storage | null
  /**
   * On Citus, the node holding the schema as of the last snapshot; null elsewhere (issue 13).
   * listTenants always sets it; a row built from one tenant may leave it out.
   */
  node?: string | null
}

export const TENANT_STATUSES: TenantStatus[] = [
  'provisioning',
  'active',
  'suspended',
  'failed',
  'deleted',
]

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    planId: row.plan_id,
    billingEmail: row.billing_email,
    firstAdminEmail: row.first_admin_email,
    firstAdminName: row.first_admin_name,
    onboardingError: row.provisioning_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    suspendedAt: row.suspended_at,
    planChangedAt: row.plan_changed_at,
    deletedAt: row.deleted_at,
    lastActivityAt: row.last_activity_at,
    health: row.health,
    healthCheckedAt: row.health_checked_at,
    purgeAfter: row.purge_after,
    protected: row.protected,
    billingMrrCents: row.billing_mrr_cents === null ? null : Number(row.billing_mrr_cents),
    billingCurrency: row.billing_currency,
    dunningStartedAt: row.dunning_started_at,
  }
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | undefined> {
  if (!isUuid(id)) return undefined
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toTenant(row)
}

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst()
  return row && toTenant(row)
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
}

/** Columns the tenants table sorts by (issue #6 item 25). */
export const TENANT_SORTS = ['name', 'created', 'members', 'storage', 'activity', 'mrr'] as const
export type TenantSort = (typeof TENANT_SORTS)[number]

export type TenantFilter = {
  /** Substring of the slug or the name, case-insensitive. */
  q?: string
  /** One status; without it every tenant but the deleted ones. */
  status?: TenantStatus
  /** One plan id. */
  planId?: string
  /** Created at or after this instant. */
  createdFrom?: Date
  /** Created strictly before this instant (pass the day after an inclusive "to" date). */
  createdBefore?: Date
  /** Tenants whose resolved value of `flag` (override, rollout, plan, default) equals `value`. */
  flagState?: { flag: FeatureFlag; value: FlagValue }
  /** The latest health check's verdict (issue 11 item 2): tenants.health. */
  health?: TenantHealth
  /**
   * Billing dunning (issue 12): `in` every tenant in a dunning window or past it
   * (tenants.dunning_started_at set), `suggest_suspend` only those whose 7-day window is over
   * (dunning_started_at ≤ dunningNow − 7 days, src/billing/mrr.ts DUNNING_DAYS).
   */
  dunning?: TenantDunningFilter
  /**
   * On Citus, the node (`host:port`) holding the schema as of the last storage snapshot (issue
   * 13 item 5); tenants never measured, or measured off Citus, have none and never match.
   */
  node?: string
  /** The clock `dunning: 'suggest_suspend'` is measured against; the real now by default. */
  dunningNow?: Date
  /** Sort column; default `created`. Storage sorts by the last snapshot's DB + files bytes. */
  sort?: TenantSort
  /** Default `desc`. Tenants without a value (no snapshot, no activity) come last either way. */
  dir?: 'asc' | 'desc'
  page?: number
  perPage?: number
}

export const TENANT_DUNNING_FILTERS = ['in', 'suggest_suspend'] as const
export type TenantDunningFilter = (typeof TENANT_DUNNING_FILTERS)[number]

/** The value each sort orders `tenants` rows by (storage and members read their own tables). */
function sortExpression(sort: TenantSort) {
  switch (sort) {
    case 'name':
      return sql`lower(tenants.name)`
    case 'created':
      return sql`tenants.created_at`
    case 'members':
      return sql`(select count(*) from memberships where memberships.tenant_id = tenants.id)`
    case 'storage':
      return sql`(select s.db_bytes + s.file_bytes from storage_snapshots s where s.tenant_id = tenants.id)`
    case 'activity':
      return sql`tenants.last_activity_at`
    // Cents of each tenant's own currency: the order across currencies is by amount, unconverted.
    case 'mrr':
      return sql`tenants.billing_mrr_cents`
  }
}

export type TenantPage = {
  items: TenantListItem[]
  /** Tenants matching the whole filter (search, status, plan, created range), over all pages. */
  total: number
  /** Tenants per status, whatever the filter: the filter tabs. */
  counts: Record<TenantStatus, number>
  /** The oldest storage snapshot of a tenant that is not deleted; undefined if none taken. */
  snapshotAt: Date | undefined
}

/** The search as a LIKE pattern on `slug || ' ' || lower(name)` (the trigram index's expression). */
function searchPattern(q: string | undefined): string | undefined {
  const term = q?.trim().toLowerCase()
  return term ? `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : undefined
}

/**
 * Every condition of the filter but the status (search, plan, created range, flag state) as one
 * SQL boolean over `tenants`, or null when none is set. The flag state is evaluated in SQL by
 * `flagResolutionSql`, so filtering, counting and paging by it stay one statement each.
 */
export function narrowingCondition(filter: TenantFilter): RawBuilder<boolean> | null {
  const pattern = searchPattern(filter.q)
  const matches = sql<string>`tenants.slug || ' ' || lower(tenants.name)`
  const flag = filter.flagState
  const conditions = [
    pattern && sql`${matches} like ${pattern}`,
    filter.planId && sql`tenants.plan_id = ${filter.planId}`,
    filter.createdFrom && sql`tenants.created_at >= ${filter.createdFrom}`,
    filter.createdBefore && sql`tenants.created_at < ${filter.createdBefore}`,
    flag && sql`${flagResolutionSql(flag.flag).value} = ${JSON.stringify(flag.value)}::jsonb`,
    filter.health && sql`tenants.health = ${filter.health}`,
    filter.dunning && dunningCondition(filter.dunning, filter.dunningNow ?? new Date()),
    filter.node &&
      sql`exists (select 1 from storage_snapshots s
        where s.tenant_id = tenants.id and s.node = ${filter.node})`,
  ].filter((c) => !!c)
  return conditions.length > 0 ? sql<boolean>`${sql.join(conditions, sql` and `)}` : null
}

function dunningCondition(dunning: TenantDunningFilter, now: Date): RawBuilder<boolean> {
  if (dunning === 'in') return sql<boolean>`tenants.dunning_started_at is not null`
  const windowStart = new Date(now.getTime() - DUNNING_DAYS * DAY_MS)
  return sql<boolean>`tenants.dunning_started_at <= ${windowStart}`
}

/**
 * One page of tenants, newest first unless `sort` says otherwise (ties broken by id, so pages
 * never overlap), with plan name, member count and storage snapshot, and the numbers around it. Two statements whatever the page size, run side by side: the page (member
 * counts from the memberships key, for its rows only), and one grouped scan that gives the status
 * tabs, the filter's total and the snapshot age. No query per row; fast at 2,000 tenants.
 * `scope` (DESIGN.md §11) narrows the rows, the total and the status counts to its tenant.
 */
export async function listTenants(
  db: Db,
  scope: TenantScope,
  filter: TenantFilter,
): Promise<TenantPage> {
  const perPage = filter.perPage ?? 50
  const page = Math.max(1, filter.page ?? 1)
  const narrowed = narrowingCondition(filter)
  let base = db.selectFrom('tenants')
  if (filter.status) base = base.where('tenants.status', '=', filter.status)
  else base = base.where('tenants.status', '!=', 'deleted')
  if (narrowed) base = base.where(narrowed)
  if (scope.tenantId) base = base.where('tenants.id', '=', scope.tenantId)
  // `dir` is one of two literals, never input text.
  const direction = sql.raw(filter.dir === 'asc' ? 'asc' : 'desc')
  const pageRows = base
    .select([
      'tenants.id',
      'tenants.slug',
      'tenants.name',
      'tenants.status',
      'tenants.plan_id',
      'tenants.created_at',
      'tenants.last_activity_at',
      'tenants.health',
      'tenants.purge_after',
      'tenants.billing_mrr_cents',
      'tenants.billing_currency',
      'tenants.dunning_started_at',
      sortExpression(filter.sort ?? 'created').as('sort_key'),
    ])
    .orderBy(sql`sort_key ${direction} nulls last`)
    .orderBy('tenants.id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .as('t')
  const [rows, groups] = await Promise.all([
    db
      .selectFrom(pageRows)
      .innerJoin('plans', 'plans.id', 't.plan_id')
      .leftJoin('storage_snapshots', 'storage_snapshots.tenant_id', 't.id')
      .selectAll('t')
      .select((eb) => [
        'plans.name as plan_name',
        'storage_snapshots.db_bytes',
        'storage_snapshots.file_bytes',
        'storage_snapshots.taken_at',
        'storage_snapshots.node',
        eb
          .selectFrom('memberships')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('memberships.tenant_id', '=', 't.id')
          .as('members'),
      ])
      .orderBy(sql`t.sort_key ${direction} nulls last`)
      .orderBy('t.id')
      .execute(),
    db
      .selectFrom('tenants')
      .leftJoin('storage_snapshots', 'storage_snapshots.tenant_id', 'tenants.id')
      .select((eb) => [
        'tenants.status',
        eb.fn.countAll<number>().as('n'),
        (narrowed ? sql<number>`count(*) filter (where ${narrowed})` : eb.fn.countAll<number>()).as(
          'matching',
        ),
        eb.fn.min('storage_snapshots.taken_at').as('oldest'),
      ])
      .$if(!!scope.tenantId, (qb) => qb.where('tenants.id', '=', scope.tenantId!))
      .groupBy('tenants.status')
      .execute(),
  ])
  const counts = Object.fromEntries(TENANT_STATUSES.map((s) => [s, 0])) as Record<
    TenantStatus,
    number
  >
  let total = 0
  let snapshotAt: Date | undefined
  for (const g of groups) {
    counts[g.status] = Number(g.n)
    if (filter.status ? g.status === filter.status : g.status !== 'deleted')
      total += Number(g.matching)
    const oldest = g.oldest === null ? undefined : new Date(g.oldest as Date)
    if (g.status !== 'deleted' && oldest && (!snapshotAt || oldest < snapshotAt))
      snapshotAt = oldest
  }
  const items = rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    planId: row.plan_id,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    health: row.health,
    purgeAfter: row.purge_after,
    billingMrrCents: row.billing_mrr_cents === null ? null : Number(row.billing_mrr_cents),
    billingCurrency: row.billing_currency,
    dunningStartedAt: row.dunning_started_at,
    planName: row.plan_name,
    members: Number(row.members ?? 0),
    storage:
      row.taken_at === null
        ? null
        : {
            dbBytes: Number(row.db_bytes),
            fileBytes: Number(row.file_bytes),
            takenAt: row.taken_at,
          },
    node: row.node,
  }))
  return { items, total, counts, snapshotAt }
}

/** Member counts for a set of tenants, in one grouped query. */
export async function countMembers(db: Db, tenantIds: string[]): Promise<Map<string, number>> {
  if (tenantIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('memberships')
    .select(['tenant_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', 'in', tenantIds)
    .groupBy('tenant_id')
    .execute()
  return new Map(rows.map((r) => [r.tenant_id, Number(r.n)]))
}

/** Tenants per status, for the filter tabs; only the scoped tenant when `scope` names one. */
export async function countTenantsByStatus(
  db: Db,
  scope: TenantScope,
): Promise<Record<TenantStatus, number>> {
  const rows = await db
    .selectFrom('tenants')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .$if(!!scope.tenantId, (qb) => qb.where('id', '=', scope.tenantId!))
    .groupBy('status')
    .execute()
  const counts = Object.fromEntries(TENANT_STATUSES.map((s) => [s, 0])) as Record<
    TenantStatus,
    number
  >
  for (const row of rows) counts[row.status] = Number(row.n)
  return counts
}

export async function findStorage(db: Db, tenantId: string): Promise<Storage | undefined> {
  const row = await db
    .selectFrom('storage_snapshots')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return (
    row && {
      dbBytes: Number(row.db_bytes),
      fileBytes: Number(row.file_bytes),
      takenAt: row.taken_at,
    }
  )
}

/**
 * Moves a tenant from one of `from` to `to`, in one compare-and-set statement.
 * @returns the tenant before and after, or undefined when it was not in one of `from`.
 */
export async function transitionTenantStatus(
  trx: Transaction<Database>,
  id: string,
  from: TenantStatus[],
  to: TenantStatus,
  now: Date,
): Promise<{ before: Tenant; after: Tenant } | undefined> {
  const before = await trx
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  if (!before || !from.includes(before.status)) return undefined
  const after = await trx
    .updateTable('tenants')
    .set({
      status: to,
      updated_at: now,
      ...(to === 'suspended' ? { suspended_at: now } : {}),
      ...(to === 'active' ? { suspended_at: null, provisioning_error: null } : {}),
      ...(to === 'deleted' ? { deleted_at: now } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return { before: toTenant(before), after: toTenant(after) }
}

/** The columns a new tenant row is given; the rest take their defaults. */
export type NewTenantRecord = Pick<
  Tenant,
  | 'id'
  | 'slug'
  | 'name'
  | 'status'
  | 'planId'
  | 'billingEmail'
  | 'firstAdminEmail'
  | 'firstAdminName'
  | 'createdAt'
>

/**
 * Inserts a tenant row (updated_at = created_at, which marks an onboarding never claimed).
 * @returns the tenant, or undefined when the slug is taken (deleted tenants keep theirs)
 */
export async function insertTenant(db: Db, row: NewTenantRecord): Promise<Tenant | undefined> {
  const inserted = await db
    .insertInto('tenants')
    .values({
      id: row.id,
      slug: row.slug,
      name: row.name,
      status: row.status,
      plan_id: row.planId,
      billing_email: row.billingEmail,
      first_admin_email: row.firstAdminEmail,
      first_admin_name: row.firstAdminName,
      created_at: row.createdAt,
      updated_at: row.createdAt,
    })
    .onConflict((oc) => oc.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst()
  return inserted && toTenant(inserted)
}

/**
 * The tenant, row-locked until the transaction ends (SELECT … FOR UPDATE), so a decision taken
 * on its status cannot race another writer.
 */
export async function findTenantForUpdate(
  trx: Transaction<Database>,
  id: string,
): Promise<Tenant | undefined> {
  if (!isUuid(id)) return undefined
  const row = await trx
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  return row && toTenant(row)
}

export type TenantDetails = { name: string; planId: string; billingEmail: string }

/**
 * Sets name, plan and billing email; `planChangedAt` is written only when given (a plan change).
 * @returns the tenant after the update, or undefined when it does not exist
 */
export async function updateTenantDetails(
  trx: Transaction<Database>,
  id: string,
  details: TenantDetails & { planChangedAt?: Date },
  now: Date,
): Promise<Tenant | undefined> {
  const row = await trx
    .updateTable('tenants')
    .set({
      name: details.name,
      plan_id: details.planId,
      billing_email: details.billingEmail,
      updated_at: now,
      ...(details.planChangedAt ? { plan_changed_at: details.planChangedAt } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
  return row && toTenant(row)
}

/** Sets `last_activity_at` (what the tenants table shows as last activity). */
export async function setTenantLastActivity(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('tenants').set({ last_activity_at: at }).where('id', '=', id).execute()
}

/** Id and slug of every tenant that is not deleted: the fleet a fleet-wide job walks. */
export async function listLiveTenantSlugs(db: Db): Promise<{ id: string; slug: string }[]> {
  return db.selectFrom('tenants').select(['id', 'slug']).where('status', '!=', 'deleted').execute()
}

/**
 * Moves `created_at` back to `at`: only for the demo fleet, whose tenants stand for customers
 * of months or years (their members and sign-in history predate today's onboarding).
 */
export async function backdateTenantCreation(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('tenants').set({ created_at: at }).where('id', '=', id).execute()
}

/**
 * Moves `last_activity_at` to `greatest(last_activity_at, at)`: never backwards, so a sign-in
 * reported late by a tenant app is harmless.
 */
export async function advanceTenantLastActivity(db: Db, id: string, at: Date): Promise<void> {
  await db
    .updateTable('tenants')
    .set({ last_activity_at: sql`greatest(last_activity_at, ${at})` })
    .where('id', '=', id)
    .execute()
}
