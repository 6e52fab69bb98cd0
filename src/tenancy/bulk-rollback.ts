import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import {
  claimRollbackItems,
  findBatchForUpdate,
  findRollbackBatchId,
  recordRollbackOutcomes,
  updateBatch,
  type BulkBatch,
} from '../db/bulk-batches.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { batchChange, BULK_LIMITS, type BulkLimits } from './bulk-apply.js'
import { rollBackTenant } from './bulk-change-one.js'

// Rolling a batch back (issue 9 item 4): each tenant the batch changed gets its before-value
// back where it still holds what the batch wrote; the others are skipped with who changed them
// since. The rollback is a batch of its own for the audit log: its entries share a new batch id,
// recorded in the `batch.rollback` entry on the original batch. Chunked like the apply.

export type RollbackResult = DomainResult<
  { rollbackBatchId: string; status: 'rolled_back' | 'rolling_back' },
  'batch_not_found' | 'already_rolled_back' | 'not_applied'
>

/**
 * Rolls back an `applied` batch (or continues one left `rolling_back`). Refuses a batch already
 * rolled back (a second rollback), and one still applying. Up to `singleLimit` items in one
 * transaction, otherwise chunks of `chunkSize`, each atomic.
 */
export async function rollBackBatch(
  db: Db,
  context: AuditContext & { actor: { id: string; email: string } },
  batchId: string,
  now: Date,
  limits: BulkLimits = BULK_LIMITS,
): Promise<RollbackResult> {
  for (let chunk = 0; ; chunk++) {
    if (limits.maxChunks !== undefined && chunk >= limits.maxChunks)
      return {
        ok: true,
        rollbackBatchId: (await findRollbackBatchId(db, batchId))!,
        status: 'rolling_back',
      }
    const step = await db.transaction().execute(async (trx) => {
      const batch = await findBatchForUpdate(trx, batchId)
      if (!batch) return refuse('batch_not_found')
      if (batch.status === 'rolled_back') return refuse('already_rolled_back')
      if (batch.status !== 'applied' && batch.status !== 'rolling_back')
        return refuse('not_applied')
      const rollbackBatchId =
        batch.status === 'rolling_back'
          ? (await findRollbackBatchId(trx, batch.id))!
          : await startRollback(trx, context, batch, now)
      const size =
        chunk === 0 && batch.status === 'applied' && (batch.matchedCount ?? 0) <= limits.singleLimit
          ? limits.singleLimit
          : limits.chunkSize
      const status = await rollBackChunk(
        trx,
        { ...context, batchId: rollbackBatchId },
        batch,
        size,
        now,
      )
      return { ok: true as const, rollbackBatchId, status }
    })
    if (!step.ok || step.status === 'rolled_back') return step
  }
}

/** Marks the batch `rolling_back` and audits `batch.rollback` with the rollback's own batch id. */
async function startRollback(
  trx: Transaction<Database>,
  context: AuditContext & { actor: { id: string; email: string } },
  batch: BulkBatch,
  now: Date,
): Promise<string> {
  const rollbackBatchId = crypto.randomUUID()
  await updateBatch(trx, batch.id, {
    status: 'rolling_back',
    rolledBackAt: now,
    rolledBackBy: context.actor.id,
  })
  await appendAuditEntry(
    trx,
    { ...context, batchId: rollbackBatchId },
    {
      action: 'batch.rollback',
      targetType: 'bulk_batch',
      targetId: batch.id,
      before: { status: batch.status },
      after: { status: 'rolling_back', rollbackBatchId },
    },
    now,
  )
  return rollbackBatchId
}

/** Restores up to `limit` items; marks the batch `rolled_back` when none are left. */
async function rollBackChunk(
  trx: Transaction<Database>,
  context: AuditContext,
  batch: BulkBatch,
  limit: number,
  now: Date,
): Promise<'rolled_back' | 'rolling_back'> {
  const change = batchChange(batch)
  const items = await claimRollbackItems(trx, batch.id, limit)
  const applied = { id: batch.id, appliedAt: batch.appliedAt ?? batch.createdAt }
  const outcomes = []
  for (const item of items)
    outcomes.push(await rollBackTenant(trx, context, change, item, applied, now))
  await recordRollbackOutcomes(trx, batch.id, outcomes)
  const left = await trx
    .selectFrom('bulk_batch_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('batch_id', '=', batch.id)
    .where('outcome', '=', 'applied')
    .where('rollback_outcome', 'is', null)
    .executeTakeFirstOrThrow()
  if (Number(left.n) > 0) return 'rolling_back'
  await updateBatch(trx, batch.id, { status: 'rolled_back' })
  return 'rolled_back'
}
