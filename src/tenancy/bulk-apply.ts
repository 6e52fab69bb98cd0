import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import {
  claimPendingItems,
  filterStillMatching,
  findBatchForUpdate,
  insertBatch,
  insertPendingItems,
  listMatchingTenantIds,
  recordItemOutcomes,
  updateBatch,
  type BulkBatch,
} from '../db/bulk-batches.js'
import type { Db } from '../db/database.js'
import { findFlagByKey } from '../db/flags.js'
import { findPlan } from '../db/plans.js'
import type { Database } from '../db/schema.js'
import type { TenantScope } from '../db/tenant-scope.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { isValidFlagValue } from '../flags/resolve.js'
import { filterQuery, toTenantFilter, type FilterQuery } from './bulk-filter.js'
import { applyToTenant, type BulkChange } from './bulk-change-one.js'

// Applying a bulk change (issue 9 item 4): the filter is evaluated again inside the transaction
// and the batch is refused when the count moved more than the operator accepted. Up to
// `singleLimit` tenants: one transaction. Above it: items are written `pending` first, then
// applied in chunks of `chunkSize`, each its own transaction, so a batch cut short by a crash
// continues where it stopped and no tenant is ever half-changed (DESIGN.md §8).

export type BulkLimits = {
  /** The most tenants applied in one transaction (issue 9: 2,000). */
  singleLimit: number
  /** Tenants per transaction above that (500). */
  chunkSize: number
  /** Stop after this many chunks (tests stand in for a killed server with it). */
  maxChunks?: number
}

export const BULK_LIMITS: BulkLimits = { singleLimit: 2000, chunkSize: 500 }

export type BulkRequest = {
  change: BulkChange
  filter: FilterQuery
  scope: TenantScope
  previewedCount: number
  acceptedDrift: number
}

export type ApplyRefusal =
  | 'drifted'
  | 'nothing_matches'
  | 'invalid_filter'
  | 'plan_not_found'
  | 'plan_archived'
  | 'flag_not_found'
  | 'flag_archived'
  | 'invalid_value'

export type ApplyResult =
  | { ok: true; batchId: string; status: 'applied' | 'applying' }
  | { ok: false; reason: Exclude<ApplyRefusal, 'drifted'> }
  | { ok: false; reason: 'drifted'; previewed: number; now: number }

/** Why the change itself cannot be made to anyone (checked before anything is written). */
export async function checkChange(
  db: Db,
  change: BulkChange,
): Promise<Exclude<ApplyRefusal, 'drifted' | 'nothing_matches' | 'invalid_filter'> | undefined> {
  if (change.kind === 'plan_change') {
    const plan = await findPlan(db, change.planId)
    if (!plan) return 'plan_not_found'
    if (plan.archivedAt) return 'plan_archived'
  }
  if (change.kind === 'flag_override') {
    const flag = await findFlagByKey(db, change.flagKey)
    if (!flag) return 'flag_not_found'
    if (flag.archived) return 'flag_archived'
    if (change.value !== null && !isValidFlagValue(flag, change.value)) return 'invalid_value'
  }
  return undefined
}

/** What a batch records as its params: `{planId}`, `{flagKey, value}` or `{}`. */
export function changeParams(change: BulkChange): Record<string, unknown> {
  const { kind: _kind, ...params } = change
  return params
}

/** The change a stored batch makes. */
export function batchChange(batch: Pick<BulkBatch, 'kind' | 'params'>): BulkChange {
  return { kind: batch.kind, ...batch.params } as BulkChange
}

/**
 * Applies `request.change` to every tenant `request.filter` matches now. Refuses (writing
 * nothing) when the count moved from the previewed one by more than `acceptedDrift`, when
 * nothing matches, when the filter no longer reads (a flag gone) and when the change cannot be
 * made (plan or flag archived, a value the flag does not allow). Otherwise writes a batch, one
 * item per tenant (before/after/outcome), one audit entry per changed tenant carrying the batch
 * id, and `batch.apply` when done.
 * @returns the batch id and `applied`, or `applying` when chunks remain (see `continueBatch`).
 */
export async function applyBatch(
  db: Db,
  context: AuditContext & { actor: { id: string; email: string } },
  request: BulkRequest,
  now: Date,
  limits: BulkLimits = BULK_LIMITS,
): Promise<ApplyResult> {
  const batchId = crypto.randomUUID()
  const started = await db.transaction().execute(async (trx): Promise<ApplyResult> => {
    const refusal = await checkChange(trx, request.change)
    if (refusal) return refuse(refusal)
    const { filter, errors } = await toTenantFilter(trx, request.filter)
    if (Object.keys(errors).length > 0) return refuse('invalid_filter')
    const ids = await listMatchingTenantIds(trx, request.scope, filter)
    if (Math.abs(ids.length - request.previewedCount) > request.acceptedDrift)
      return { ok: false, reason: 'drifted', previewed: request.previewedCount, now: ids.length }
    if (ids.length === 0) return refuse('nothing_matches')
    await insertBatch(trx, {
      id: batchId,
      kind: request.change.kind,
      params: changeParams(request.change),
      filter: {
        ...request.filter,
        ...(request.scope.tenantId ? { scope: request.scope.tenantId } : {}),
      },
      previewedCount: request.previewedCount,
      acceptedDrift: request.acceptedDrift,
      matchedCount: ids.length,
      createdBy: context.actor.id,
      createdByEmail: context.actor.email,
      createdAt: now,
    })
    await insertPendingItems(trx, batchId, ids)
    if (ids.length > limits.singleLimit) return { ok: true, batchId, status: 'applying' }
    const batch = (await findBatchForUpdate(trx, batchId))!
    await applyChunk(trx, context, batch, ids.length, now)
    return { ok: true, batchId, status: 'applied' }
  })
  if (!started.ok || started.status === 'applied') return started
  const status = await continueBatch(db, context, batchId, now, limits)
  return { ok: true, batchId, status: status.ok ? status.status : 'applying' }
}

/**
 * Applies up to `limit` pending items of the locked batch; finishes the batch (status `applied`,
 * `batch.apply` audited with the outcome counts) when none are left.
 */
async function applyChunk(
  trx: Transaction<Database>,
  context: AuditContext,
  batch: BulkBatch,
  limit: number,
  now: Date,
): Promise<'applied' | 'applying'> {
  const change = batchChange(batch)
  const ids = await claimPendingItems(trx, batch.id, limit)
  const matching = await stillMatching(trx, batch, ids)
  const audited = { ...context, batchId: batch.id }
  const outcomes = []
  for (const id of ids)
    outcomes.push(
      matching.has(id)
        ? await applyToTenant(trx, audited, change, id, now)
        : {
            tenantId: id,
            outcome: 'skipped' as const,
            before: null,
            after: null,
            note: NO_LONGER_MATCHES,
          },
    )
  await recordItemOutcomes(trx, batch.id, outcomes)
  const left = await trx
    .selectFrom('bulk_batch_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('batch_id', '=', batch.id)
    .where('outcome', '=', 'pending')
    .executeTakeFirstOrThrow()
  if (Number(left.n) > 0) return 'applying'
  const counts = await outcomeCounts(trx, batch.id)
  await updateBatch(trx, batch.id, { status: 'applied', appliedAt: now })
  await appendAuditEntry(
    trx,
    audited,
    {
      action: 'batch.apply',
      targetType: 'bulk_batch',
      targetId: batch.id,
      before: { previewedCount: batch.previewedCount, acceptedDrift: batch.acceptedDrift },
      after: {
        kind: batch.kind,
        params: batch.params,
        matchedCount: batch.matchedCount,
        ...counts,
      },
    },
    now,
  )
  return 'applied'
}

const NO_LONGER_MATCHES = 'no longer matches the filter'

/**
 * The claimed tenants the batch's filter (and scope) still matches: chunks of a large batch apply
 * minutes apart, or after a restart, and must not overwrite a change made since the batch began.
 */
async function stillMatching(trx: Transaction<Database>, batch: BulkBatch, ids: string[]) {
  const query = filterQuery.safeParse(batch.filter)
  if (!query.success) return new Set<string>()
  const { filter, errors } = await toTenantFilter(trx, query.data)
  if (Object.keys(errors).length > 0) return new Set<string>()
  const scope = batch.filter.scope ? { tenantId: batch.filter.scope } : {}
  return filterStillMatching(trx, scope, filter, ids)
}

async function outcomeCounts(trx: Transaction<Database>, batchId: string) {
  const rows = await trx
    .selectFrom('bulk_batch_items')
    .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .where('batch_id', '=', batchId)
    .groupBy('outcome')
    .execute()
  const counts = { applied: 0, unchanged: 0, skipped: 0, failed: 0 }
  for (const r of rows) if (r.outcome !== 'pending') counts[r.outcome] = Number(r.n)
  return counts
}

export type ContinueResult = DomainResult<
  { status: 'applied' | 'applying' },
  'batch_not_found' | 'not_applying'
>

/**
 * Applies the pending items of a batch left `applying` (a large batch, or one whose server
 * stopped), one chunk per transaction, until none are left or `limits.maxChunks` is reached.
 * Each chunk locks the batch row, so two operators continuing at once take turns.
 */
export async function continueBatch(
  db: Db,
  context: AuditContext,
  batchId: string,
  now: Date,
  limits: BulkLimits = BULK_LIMITS,
): Promise<ContinueResult> {
  for (let chunk = 0; ; chunk++) {
    if (limits.maxChunks !== undefined && chunk >= limits.maxChunks)
      return { ok: true, status: 'applying' }
    const step = await db.transaction().execute(async (trx) => {
      const batch = await findBatchForUpdate(trx, batchId)
      if (!batch) return refuse('batch_not_found')
      if (batch.status !== 'applying')
        return chunk === 0 ? refuse('not_applying') : ('applied' as const)
      return applyChunk(trx, context, batch, limits.chunkSize, now)
    })
    if (typeof step !== 'string') return step
    if (step === 'applied') return { ok: true, status: 'applied' }
  }
}
