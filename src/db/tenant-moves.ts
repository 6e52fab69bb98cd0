import { sql } from 'kysely'
import type { Db } from './database.js'
import { toJobRun, type JobRun } from './job-runs.js'

// The rows a tenant move (issue 13 item 5) reads besides the run itself: whether a move of the
// tenant is still open, and whether a run already audited its outcome.

/**
 * The tenant's `tenant_move` run still `running` or `paused`, newest first, or undefined. Open
 * runs are few, so the match on params.tenantId reads a handful of rows.
 */
export async function findOpenTenantMove(db: Db, tenantId: string): Promise<JobRun | undefined> {
  const row = await db
    .selectFrom('job_runs')
    .selectAll()
    .where('kind', '=', 'tenant_move')
    .where('status', 'in', ['running', 'paused'])
    .where(sql<string>`params->>'tenantId'`, '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row && toJobRun(row)
}

/**
 * Whether the run (`batch_id`) already wrote an audit entry of `action` (audit_log_batch_idx):
 * a re-claimed move item audits its outcome once.
 */
export async function runHasAudited(db: Db, runId: string, action: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_log')
    .select('seq')
    .where('batch_id', '=', runId)
    .where('action', '=', action)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** Serialises starts of moves of one tenant (transaction-level advisory lock). */
export async function lockTenantMoves(db: Db, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`fleetdeck:tenant-move:${tenantId}`}))`.execute(
    db,
  )
}
