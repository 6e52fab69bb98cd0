import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { JobRun } from '../db/job-runs.js'
import { findOpenTenantMove, lockTenantMoves } from '../db/tenant-moves.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { findTenantById, type Tenant } from '../db/tenants.js'
import { refuse, type Refusal } from '../domain-result.js'
import { insertAuditedRun, type JobRunSpec } from '../jobs/start-run.js'
import * as citus from './citus.js'

// Moving a tenant to another Citus worker node (issue 13 item 5): the operator's verb starts a
// `tenant_move` job run (the copy takes seconds to minutes: it runs in the job runner, with the
// run page showing progress); the handler in ./tenant-move-job.ts does the move.

/** The Citus functions a move asks (src/fleet/citus.ts); tests without Citus inject fakes. */
export type MoveCitus = Pick<
  typeof citus,
  | 'citusVersion'
  | 'measureCitusSchemas'
  | 'listCitusNodes'
  | 'readShardTransferFacts'
  | 'moveTenantSchema'
>

export type TenantMoveRefusal =
  'no_citus' | 'not_found' | 'not_distributed' | 'unknown_node' | 'same_node' | 'move_open'

/** What a tenant_move run carries in params: the schema and the nodes (`host:port`). */
export type TenantMoveParams = { tenantId: string; schema: string; from: string; to: string }

/**
 * Starts moving the tenant's schema to `targetNode` (`host:port`, one of listCitusNodes): a
 * `tenant_move` job run of one item, audited `job.start` and `tenant.move.start` (before
 * `{node: from}`, after `{node: to}`) in one transaction. One open move per tenant, checked
 * under a per-tenant advisory lock so two clicks cannot both start one.
 * @returns the run; refusals: no_citus, not_found (unknown or deleted tenant), not_distributed
 *   (its schema is local on the coordinator: repair distributes it), unknown_node, same_node,
 *   move_open (a move of this tenant is still running or paused)
 */
export async function startTenantMove(
  db: Db,
  context: AuditContext,
  tenantId: string,
  targetNode: string,
  options: { now?: Date; citus?: MoveCitus } = {},
): Promise<{ ok: true; run: JobRun } | Refusal<TenantMoveRefusal>> {
  const ops = options.citus ?? citus
  if (!(await ops.citusVersion(db))) return refuse('no_citus')
  const tenant = await findTenantById(db, tenantId)
  if (!tenant || tenant.status === 'deleted') return refuse('not_found')
  const schema = tenantSchemaName(tenant.slug)
  const from = (await ops.measureCitusSchemas(db, [schema])).get(schema)?.node
  if (!from) return refuse('not_distributed')
  const nodes = await ops.listCitusNodes(db)
  if (!nodes.some((n) => n.node === targetNode)) return refuse('unknown_node')
  if (targetNode === from) return refuse('same_node')
  const params: TenantMoveParams = { tenantId, schema, from, to: targetNode }
  const now = options.now ?? new Date()
  return db.transaction().execute(async (trx) => {
    await lockTenantMoves(trx, tenant.id)
    if (await findOpenTenantMove(trx, tenant.id)) return refuse('move_open')
    const run = await insertAuditedRun(trx, context, moveSpec(tenant, params), now)
    const entry = {
      ...{ action: 'tenant.move.start', targetType: 'tenant', targetId: tenant.id },
      ...{ tenantId: tenant.id, before: { node: from }, after: { node: targetNode } },
    }
    await appendAuditEntry(trx, { ...context, batchId: run.id }, entry, now)
    return { ok: true as const, run }
  })
}

function moveSpec(tenant: Tenant, params: TenantMoveParams): JobRunSpec {
  return {
    kind: 'tenant_move',
    label: `Move ${tenant.slug} from ${params.from} to ${params.to}`,
    params,
    concurrency: 1,
    stopAfterFailures: null,
    items: [{ tenantId: tenant.id, target: tenant.slug }],
  }
}

/** `host:port` → its parts (the port after the last colon); undefined when it is not one. */
export function parseNode(node: string): { host: string; port: number } | undefined {
  const at = node.lastIndexOf(':')
  const port = Number(node.slice(at + 1))
  if (at < 1 || !Number.isInteger(port) || port < 1 || port > 65535) return undefined
  return { host: node.slice(0, at), port }
}

/** One line for an operator from a refusal of startTenantMove. */
export function describeMoveRefusal(reason: TenantMoveRefusal): string {
  return MOVE_REFUSALS[reason]
}

const MOVE_REFUSALS: Record<TenantMoveRefusal, string> = {
  no_citus: 'Fleetdeck is not running on Citus: there is one server and nothing to move to.',
  not_found: 'The tenant no longer exists (or is deleted); nothing was moved.',
  not_distributed:
    'Its schema is local on the Citus coordinator, not distributed: repair it from fleet health first.',
  unknown_node: 'Choose one of the nodes listed.',
  same_node: 'The tenant is already on that node: choose another.',
  move_open: 'A move of this tenant is still running or paused: see its job run.',
}
