import type { Selectable } from 'kysely'
import type { Db } from '../db/database.js'
import type { ApprovalKind, ApprovalRequestsTable, ApprovalStatus } from '../db/schema.js'

// The approval_requests table at the db edge: snake_case rows become camelCase here, once.

export type ApprovalRequest = {
  id: string
  kind: ApprovalKind
  status: ApprovalStatus
  requestedBy: string
  requestedByEmail: string
  reason: string
  summary: string
  targetType: string | null
  targetId: string | null
  tenantId: string | null
  change: unknown
  guard: unknown
  createdAt: Date
  expiresAt: Date
  /** Set when decided; while status is still `pending`, an approval is running right now. */
  decidedBy: string | null
  decidedByEmail: string | null
  decidedAt: Date | null
  decisionNote: string | null
  /** What the run returned, or `{ reason }` when it failed or went stale. */
  result: unknown
}

function toApprovalRequest(r: Selectable<ApprovalRequestsTable>): ApprovalRequest {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    requestedBy: r.requested_by,
    requestedByEmail: r.requested_by_email,
    reason: r.reason,
    summary: r.summary,
    targetType: r.target_type,
    targetId: r.target_id,
    tenantId: r.tenant_id,
    change: r.change,
    guard: r.guard,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    decidedBy: r.decided_by,
    decidedByEmail: r.decided_by_email,
    decidedAt: r.decided_at ? new Date(r.decided_at) : null,
    decisionNote: r.decision_note,
    result: r.result,
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** One request by id; undefined when there is none (or `id` is not a UUID). */
export async function findApproval(db: Db, id: string): Promise<ApprovalRequest | undefined> {
  if (!UUID.test(id)) return undefined
  const row = await db
    .selectFrom('approval_requests')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toApprovalRequest(row)
}

/** Pending requests, oldest first (the next to expire leads). */
export async function listPendingApprovals(db: Db): Promise<ApprovalRequest[]> {
  const rows = await db
    .selectFrom('approval_requests')
    .selectAll()
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.map(toApprovalRequest)
}

/** The latest `limit` decided, expired, failed or cancelled requests, newest first. */
export async function listPastApprovals(db: Db, limit = 50): Promise<ApprovalRequest[]> {
  const rows = await db
    .selectFrom('approval_requests')
    .selectAll()
    .where('status', '!=', 'pending')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map(toApprovalRequest)
}

/** How many requests wait for a decision and have not expired at `now`. */
export async function countPendingApprovals(db: Db, now: Date): Promise<number> {
  const row = await db
    .selectFrom('approval_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A pending request of `kind` on the same target, if any (one at a time per target). */
export async function findPendingFor(
  db: Db,
  kind: ApprovalKind,
  targetId: string | null,
  now: Date,
): Promise<ApprovalRequest | undefined> {
  let query = db
    .selectFrom('approval_requests')
    .selectAll()
    .where('kind', '=', kind)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
  query =
    targetId === null
      ? query.where('target_id', 'is', null)
      : query.where('target_id', '=', targetId)
  const row = await query.executeTakeFirst()
  return row && toApprovalRequest(row)
}

export { toApprovalRequest }
