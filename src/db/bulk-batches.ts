import { sql, type Selectable, type Transaction } from 'kysely'
import type { Db } from './database.js'
import { flagResolutionSql } from './flag-resolution-sql.js'
import type { FeatureFlag } from './flags.js'
import type {
  BulkBatchesTable,
  BulkBatchStatus,
  BulkItemOutcome,
  BulkKind,
  Database,
  FlagValue,
  TenantStatus,
} from './schema.js'
import { isUuid, narrowingCondition, type TenantFilter } from './tenants.js'
import type { TenantScope } from './tenant-scope.js'

// Bulk batches and their items (issue 9 item 4): which tenants a filter matches now, and the
// record of what a batch did to each of them. Writes here are steps of src/tenancy/bulk-*.ts.

export type BulkBatch = {
  id: string
  kind: BulkKind
  /** `{planId}` | `{flagKey, value}` (value null = clear the override) | `{}`. */
  params: Record<string, unknown>
  /** The tenants-list filter as typed (src/tenancy/bulk-filter.ts `FilterQuery`), plus scope. */
  filter: Record<string, string>
  previewedCount: number
  acceptedDrift: number
  matchedCount: number | null
  status: BulkBatchStatus
  createdBy: string
  createdByEmail: string
  createdAt: Date
  appliedAt: Date | null
  rolledBackAt: Date | null
  rolledBackBy: string | null
  error: string | null
}

type BatchRow = Selectable<BulkBatchesTable>

function toBatch(row: BatchRow): BulkBatch {
  return {
    id: row.id,
    kind: row.kind,
    params: row.params as Record<string, unknown>,
    filter: row.filter as Record<string, string>,
    previewedCount: row.previewed_count,
    acceptedDrift: row.accepted_drift,
    matchedCount: row.matched_count,
    status: row.status,
    createdBy: row.created_by,
    createdByEmail: row.created_by_email,
    createdAt: row.created_at,
    appliedAt: row.applied_at,
    rolledBackAt: row.rolled_back_at,
    rolledBackBy: row.rolled_back_by,
    error: row.error,
  }
}

/** The tenants the filter matches, as the tenants list would count them (not deleted unless asked). */
function matching(db: Db, scope: TenantScope, filter: TenantFilter) {
  const narrowed = narrowingCondition(filter)
  return db
    .selectFrom('tenants')
    .$if(!!filter.status, (qb) => qb.where('tenants.status', '=', filter.status!))
    .$if(!filter.status, (qb) => qb.where('tenants.status', '!=', 'deleted'))
    .$if(!!narrowed, (qb) => qb.where(narrowed!))
    .$if(!!scope.tenantId, (qb) => qb.where('tenants.id', '=', scope.tenantId!))
}

/** How many tenants the filter matches now (one statement). */
export async function countMatchingTenants(
  db: Db,
  scope: TenantScope,
  filter: TenantFilter,
): Promise<number> {
  const row = await matching(db, scope, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Ids of every tenant the filter matches now, oldest first (the order a batch applies in). */
export async function listMatchingTenantIds(
  db: Db,
  scope: TenantScope,
  filter: TenantFilter,
): Promise<string[]> {
  const rows = await matching(db, scope, filter)
    .select('tenants.id')
    .orderBy('tenants.created_at')
    .orderBy('tenants.id')
    .execute()
  return rows.map((r) => r.id)
}

/**
 * Which of `ids` the filter still matches now (one statement): a chunked batch applies each chunk
 * only to the tenants that still match, so a tenant changed elsewhere since the batch began
 * (moved to another plan, suspended by support) is skipped rather than overwritten.
 */
export async function filterStillMatching(
  db: Db,
  scope: TenantScope,
  filter: TenantFilter,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await matching(db, scope, filter)
    .select('tenants.id')
    .where('tenants.id', 'in', ids)
    .execute()
  return new Set(rows.map((r) => r.id))
}

/** A tenant in a preview: what a change reads to say before → after. */
export type PreviewTenant = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  planId: string
  /** For a flag override: the resolved value, why, and the override if one is set. */
  flag?: { value: FlagValue; why: string; override: FlagValue | null }
}

/**
 * The first `limit` tenants the filter matches (oldest first, as a batch applies), in one
 * statement; with `flag`, each tenant's resolution of it in SQL (`flagResolutionSql`).
 */
export async function listPreviewTenants(
  db: Db,
  scope: TenantScope,
  filter: TenantFilter,
  limit: number,
  flag?: FeatureFlag,
): Promise<PreviewTenant[]> {
  const resolution = flag && flagResolutionSql(flag)
  const rows = await matching(db, scope, filter)
    .select(['tenants.id', 'tenants.slug', 'tenants.name', 'tenants.status', 'tenants.plan_id'])
    .$if(!!resolution, (qb) =>
      qb.select([
        resolution!.value.as('flag_value'),
        resolution!.why.as('flag_why'),
        sql`(select o.value from feature_flag_overrides o where o.flag_id = ${flag!.id} and o.tenant_id = tenants.id)`.as(
          'flag_override',
        ),
      ]),
    )
    .orderBy('tenants.created_at')
    .orderBy('tenants.id')
    .limit(limit)
    .execute()
  return rows.map((r) => {
    const row = r as typeof r & {
      flag_value?: FlagValue
      flag_why?: string
      flag_override?: FlagValue | null
    }
    return {
      id: r.id,
      slug: r.slug,
      name: r.name,
      status: r.status,
      planId: r.plan_id,
      flag: flag && {
        value: row.flag_value!,
        why: row.flag_why!,
        override: row.flag_override ?? null,
      },
    }
  })
}

export type NewBatch = Omit<
  BulkBatch,
  'appliedAt' | 'rolledBackAt' | 'rolledBackBy' | 'error' | 'status'
>

/** Inserts a batch in status `applying`. */
export async function insertBatch(trx: Transaction<Database>, batch: NewBatch): Promise<void> {
  await trx
    .insertInto('bulk_batches')
    .values({
      id: batch.id,
      kind: batch.kind,
      params: JSON.stringify(batch.params),
      filter: JSON.stringify(batch.filter),
      previewed_count: batch.previewedCount,
      accepted_drift: batch.acceptedDrift,
      matched_count: batch.matchedCount,
      status: 'applying',
      created_by: batch.createdBy,
      created_by_email: batch.createdByEmail,
      created_at: batch.createdAt,
    })
    .execute()
}

/** One `pending` item per tenant, in statements of 1,000 rows. */
export async function insertPendingItems(
  trx: Transaction<Database>,
  batchId: string,
  tenantIds: string[],
): Promise<void> {
  for (let i = 0; i < tenantIds.length; i += 1000) {
    await trx
      .insertInto('bulk_batch_items')
      .values(
        tenantIds.slice(i, i + 1000).map((tenantId) => ({
          batch_id: batchId,
          tenant_id: tenantId,
          outcome: 'pending' as const,
          before: null,
          after: null,
        })),
      )
      .execute()
  }
}

/**
 * Up to `limit` pending items of the batch, locked for this transaction (SKIP LOCKED: two
 * operators pressing Continue at once work on different items, never the same tenant twice).
 */
export async function claimPendingItems(
  trx: Transaction<Database>,
  batchId: string,
  limit: number,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('bulk_batch_items')
    .select('tenant_id')
    .where('batch_id', '=', batchId)
    .where('outcome', '=', 'pending')
    .orderBy('tenant_id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
  return rows.map((r) => r.tenant_id)
}

/** Applied items not yet rolled back, locked for this transaction (SKIP LOCKED). */
export async function claimRollbackItems(
  trx: Transaction<Database>,
  batchId: string,
  limit: number,
): Promise<{ tenantId: string; before: unknown; after: unknown }[]> {
  const rows = await trx
    .selectFrom('bulk_batch_items')
    .select(['tenant_id', 'before', 'after'])
    .where('batch_id', '=', batchId)
    .where('outcome', '=', 'applied')
    .where('rollback_outcome', 'is', null)
    .orderBy('tenant_id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
  return rows.map((r) => ({ tenantId: r.tenant_id, before: r.before, after: r.after }))
}

export type ItemOutcome = {
  tenantId: string
  outcome: Exclude<BulkItemOutcome, 'pending'>
  before: unknown
  after: unknown
  note: string | null
}

/** Records what the batch did to each tenant, in one statement. */
export async function recordItemOutcomes(
  trx: Transaction<Database>,
  batchId: string,
  items: ItemOutcome[],
): Promise<void> {
  if (items.length === 0) return
  const rows = items.map(
    (i) =>
      sql`(${i.tenantId}::uuid, ${i.outcome}::text, ${JSON.stringify(i.before ?? null)}::jsonb, ${JSON.stringify(i.after ?? null)}::jsonb, ${i.note}::text)`,
  )
  await sql`update bulk_batch_items b set outcome = v.outcome, before = v.before, after = v.after, note = v.note
    from (values ${sql.join(rows)}) as v(tenant_id, outcome, before, after, note)
    where b.batch_id = ${batchId} and b.tenant_id = v.tenant_id`.execute(trx)
}

export type RollbackOutcome = {
  tenantId: string
  outcome: 'restored' | 'skipped' | 'failed'
  note: string | null
}

/** Records what the rollback did to each tenant, in one statement. */
export async function recordRollbackOutcomes(
  trx: Transaction<Database>,
  batchId: string,
  items: RollbackOutcome[],
): Promise<void> {
  if (items.length === 0) return
  const rows = items.map((i) => sql`(${i.tenantId}::uuid, ${i.outcome}::text, ${i.note}::text)`)
  await sql`update bulk_batch_items b set rollback_outcome = v.outcome, rollback_note = v.note
    from (values ${sql.join(rows)}) as v(tenant_id, outcome, note)
    where b.batch_id = ${batchId} and b.tenant_id = v.tenant_id`.execute(trx)
}

/** Sets the batch's status and, where given, when it was applied or rolled back and by whom. */
export async function updateBatch(
  trx: Transaction<Database>,
  id: string,
  change: {
    status: BulkBatchStatus
    appliedAt?: Date
    rolledBackAt?: Date
    rolledBackBy?: string
  },
): Promise<void> {
  await trx
    .updateTable('bulk_batches')
    .set({
      status: change.status,
      ...(change.appliedAt ? { applied_at: change.appliedAt } : {}),
      ...(change.rolledBackAt ? { rolled_back_at: change.rolledBackAt } : {}),
      ...(change.rolledBackBy ? { rolled_back_by: change.rolledBackBy } : {}),
    })
    .where('id', '=', id)
    .execute()
}

/** The batch, or undefined (an id that is not a uuid is not found). */
export async function findBatch(db: Db, id: string): Promise<BulkBatch | undefined> {
  if (!isUuid(id)) return undefined
  const row = await db
    .selectFrom('bulk_batches')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toBatch(row)
}

/** The batch, row-locked until the transaction ends: one apply or rollback at a time. */
export async function findBatchForUpdate(
  trx: Transaction<Database>,
  id: string,
): Promise<BulkBatch | undefined> {
  const row = await trx
    .selectFrom('bulk_batches')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  return row && toBatch(row)
}

/** Batches newest first, `perPage` (default 50) per page, with one more to tell if more follow. */
export async function listBatches(db: Db, page: number, perPage = 50): Promise<BulkBatch[]> {
  const rows = await db
    .selectFrom('bulk_batches')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(perPage + 1)
    .offset((page - 1) * perPage)
    .execute()
  return rows.map(toBatch)
}

export type BatchItem = {
  tenantId: string
  slug: string
  name: string
  outcome: BulkItemOutcome
  before: unknown
  after: unknown
  note: string | null
  rollbackOutcome: 'restored' | 'skipped' | 'failed' | null
  rollbackNote: string | null
}

/** One page of the batch's items by tenant slug, and how many items have each outcome. */
export async function listBatchItems(
  db: Db,
  batchId: string,
  page: number,
  perPage: number,
): Promise<{ items: BatchItem[]; outcomes: Record<string, number> }> {
  const [rows, counts] = await Promise.all([
    db
      .selectFrom('bulk_batch_items as i')
      .innerJoin('tenants as t', 't.id', 'i.tenant_id')
      .select([
        'i.tenant_id',
        't.slug',
        't.name',
        'i.outcome',
        'i.before',
        'i.after',
        'i.note',
        'i.rollback_outcome',
        'i.rollback_note',
      ])
      .where('i.batch_id', '=', batchId)
      .orderBy('t.slug')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute(),
    db
      .selectFrom('bulk_batch_items')
      .select(['outcome', 'rollback_outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .where('batch_id', '=', batchId)
      .groupBy(['outcome', 'rollback_outcome'])
      .execute(),
  ])
  const outcomes: Record<string, number> = {}
  for (const c of counts) {
    outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + Number(c.n)
    if (c.rollback_outcome)
      outcomes[`rollback_${c.rollback_outcome}`] =
        (outcomes[`rollback_${c.rollback_outcome}`] ?? 0) + Number(c.n)
  }
  return {
    items: rows.map((r) => ({
      tenantId: r.tenant_id,
      slug: r.slug,
      name: r.name,
      outcome: r.outcome,
      before: r.before,
      after: r.after,
      note: r.note,
      rollbackOutcome: r.rollback_outcome,
      rollbackNote: r.rollback_note,
    })),
    outcomes,
  }
}

/** The batch id its rollback's audit entries share (in the `batch.rollback` entry), if any. */
export async function findRollbackBatchId(db: Db, batchId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('audit_log')
    .select('batch_id')
    .where('target_type', '=', 'bulk_batch')
    .where('target_id', '=', batchId)
    .where('action', '=', 'batch.rollback')
    .orderBy('seq', 'desc')
    .executeTakeFirst()
  return row?.batch_id ?? undefined
}

/**
 * The last audit entry about the tenant since `since` that is not part of `exceptBatchId`: who
 * changed it after a batch did (a rollback names them when it skips the tenant).
 */
export async function findLastChangeSince(
  trx: Db,
  tenantId: string,
  since: Date,
  exceptBatchId: string,
): Promise<{ actorEmail: string | null; at: Date; action: string } | undefined> {
  const row = await trx
    .selectFrom('audit_log')
    .select(['actor_email', 'created_at', 'action'])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>=', since)
    .where((eb) => eb.or([eb('batch_id', 'is', null), eb('batch_id', '!=', exceptBatchId)]))
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row && { actorEmail: row.actor_email, at: row.created_at, action: row.action }
}
