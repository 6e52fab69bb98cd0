import { appendAuditEntry } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { lockTenantMoves, runHasAudited } from '../db/tenant-moves.js'
import { findTenantById } from '../db/tenants.js'
import type { JobHandler, JobItemOutcome, JobWork } from '../jobs/job-kinds.js'
import { refreshTenantStorage } from '../tenancy/storage.js'
import * as citus from './citus.js'
import { chooseShardTransferMode, type ShardTransferMode } from './citus.js'
import { parseNode, type MoveCitus, type TenantMoveParams } from './tenant-move.js'

// The `tenant_move` kind (issue 13 item 5): one item, the tenant's schema moved with
// citus_schema_move on the runner's connection, outside any transaction (Citus copies the
// shards and switches the placement itself), then its storage snapshot re-measured so the
// tenants table and the tenant page show the new node.

/** What a move reports on the run page: nodes, transfer mode, bytes now on `to`, duration (ms). */
export type TenantMoveResult = {
  from: string
  to: string
  /** `already` when the schema was found on `to` (a re-claimed item whose move had finished). */
  mode: ShardTransferMode | 'already'
  bytes: number
  ms: number
}

/**
 * The handler with the Citus functions to use (tests without Citus inject fakes). Idempotent: a
 * schema already on the target node is not moved again, and `tenant.move.done` is audited once
 * per run (actor none, batch = the run, like the backup job's entries).
 */
export function tenantMoveHandlerWith(ops: MoveCitus): JobHandler {
  return { kind: 'tenant_move', runItem: (work) => runMove(work, ops) }
}

/** The registered handler: the real Citus functions. */
export const tenantMoveHandler: JobHandler = tenantMoveHandlerWith(citus)

async function runMove(work: JobWork, ops: MoveCitus): Promise<JobItemOutcome> {
  const p = work.run.params as TenantMoveParams
  const tenant = await findTenantById(work.db, p.tenantId)
  if (!tenant || tenant.status === 'deleted')
    return { status: 'skipped', reason: 'the tenant was deleted' }
  const started = performance.now()
  const moved = await moveAndCheck(work.db, p, ops).catch(async (error: unknown) => {
    await auditFailed(work, tenant.id, p, error)
    throw error
  })
  const ms = Math.round(performance.now() - started)
  await refreshTenantStorage(work.db, tenant.id, tenant.slug, work.now())
  const result: TenantMoveResult = { from: p.from, to: p.to, ...moved, ms }
  await auditDone(work, tenant.id, result)
  return { status: 'done', result }
}

/** The move (unless done), then the schema's placement checked on `to`: the mode and bytes. */
async function moveAndCheck(db: Db, p: TenantMoveParams, ops: MoveCitus) {
  const mode = await moveUnlessThere(db, p, ops)
  const placed = (await ops.measureCitusSchemas(db, [p.schema])).get(p.schema)
  if (placed?.node !== p.to)
    throw new Error(`${p.schema} is on ${placed?.node ?? 'no node'} after the move, not ${p.to}`)
  return { mode, bytes: placed.bytes }
}

/** Moves the schema unless it is on the target already; the transfer mode used, or `already`. */
async function moveUnlessThere(
  db: Db,
  p: TenantMoveParams,
  ops: MoveCitus,
): Promise<TenantMoveResult['mode']> {
  const placed = (await ops.measureCitusSchemas(db, [p.schema])).get(p.schema)
  if (!placed) throw new Error(`${p.schema} is not distributed: there is nothing to move`)
  if (placed.node === p.to) return 'already'
  const target = parseNode(p.to)
  if (!target) throw new Error(`${p.to} is not a host:port`)
  const mode = chooseShardTransferMode(await ops.readShardTransferFacts(db, p.schema))
  await ops.moveTenantSchema(db, p.schema, target, mode)
  return mode
}

/** `tenant.move.done` (before: the old node; after: node, mode, bytes, ms), once per run. */
async function auditDone(work: JobWork, tenantId: string, result: TenantMoveResult) {
  await work.db.transaction().execute(async (trx) => {
    await lockTenantMoves(trx, tenantId)
    if (await runHasAudited(trx, work.run.id, 'tenant.move.done')) return
    const { from, to, ...after } = result
    const entry = {
      ...{ action: 'tenant.move.done', targetType: 'tenant', targetId: tenantId, tenantId },
      ...{ before: { node: from }, after: { node: to, ...after } },
    }
    await appendAuditEntry(trx, { actor: null, batchId: work.run.id }, entry, work.now())
  })
}

/**
 * `tenant.move.failed` (before: the old node; after: the target and the error), in its own
 * transaction, batch = the run: a failed move leaves a trace in the audit log, not only on the
 * run page. Each failed attempt is audited.
 */
async function auditFailed(work: JobWork, tenantId: string, p: TenantMoveParams, error: unknown) {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500)
  const entry = {
    ...{ action: 'tenant.move.failed', targetType: 'tenant', targetId: tenantId, tenantId },
    ...{ before: { node: p.from }, after: { node: p.to, error: message } },
  }
  await work.db.transaction().execute(async (trx) => {
    await appendAuditEntry(trx, { actor: null, batchId: work.run.id }, entry, work.now())
  })
}
