import { roleCan } from '../auth/permissions.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { ApprovalKind } from '../db/schema.js'
import type { SuperAdmin } from '../db/super-admins.js'
import { findSuperAdminById } from '../db/super-admins.js'
import { refuse, type DomainResult } from '../domain-result.js'
import {
  findApproval,
  findPendingFor,
  toApprovalRequest,
  type ApprovalRequest,
} from './approval-rows.js'
import {
  canonicalJson,
  EXECUTORS,
  type ApprovalChange,
  type Executor,
  type ExecutorDeps,
} from './executors.js'
import { approvalRequired } from './policy.js'

// Dual control (issue 14 item 6): request → approve | reject | cancel | expire. A request holds
// the exact change and the target's state it was asked on (`guard`); approval runs the change
// through the console's own verb, as the requester, with the approver named in its audit entry.

/** A request waits at most 24 hours for a second operator (issue 14 item 6). */
export const APPROVAL_TTL_MS = 24 * 3_600_000

/** Roles that may approve or reject (never the requester themselves). */
const DECIDING_ROLES = ['owner', 'admin'] as const

export type ApprovalInput<K extends ApprovalKind = ApprovalKind> = {
  kind: K
  /** Why, in the requester's words: required, 1–500 characters after trimming. */
  reason: string
  /** One line for lists: "Delete tenant acme". */
  summary: string
  targetType: string | null
  targetId: string | null
  tenantId?: string | null
  change: ApprovalChange[K]
}

export type RequestRefusal =
  'reason_required' | 'reason_too_long' | 'target_not_found' | 'already_pending'

/** The reason rule on its own, for forms that check before sending. */
export function checkReason(reason: string): 'reason_required' | 'reason_too_long' | undefined {
  const trimmed = reason.trim()
  if (trimmed.length === 0) return 'reason_required'
  if (trimmed.length > 500) return 'reason_too_long'
  return undefined
}

/**
 * Records a request for a second operator's approval, audited `approval.request` (actor = the
 * requester, `context.actor`, required). The target's current state is taken as the guard.
 * @returns the request (pending, expiring APPROVAL_TTL_MS after `now`), or a refusal:
 *   `already_pending` when the same kind on the same target already waits (its id in `existingId`)
 */
export async function requestApproval(
  db: Db,
  context: AuditContext,
  input: ApprovalInput,
  now: Date,
): Promise<
  | DomainResult<{ request: ApprovalRequest }, Exclude<RequestRefusal, 'already_pending'>>
  | { ok: false; reason: 'already_pending'; existingId: string }
> {
  const actor = context.actor
  if (!actor) throw new Error('requestApproval needs an actor')
  const bad = checkReason(input.reason)
  if (bad) return refuse(bad)
  const executor = EXECUTORS[input.kind] as Executor<ApprovalKind>
  const guard = await executor.guardOf(db, input.change as never)
  if (guard === undefined) return refuse('target_not_found')
  const existing = await findPendingFor(db, input.kind, input.targetId, now)
  if (existing) return { ok: false, reason: 'already_pending', existingId: existing.id }
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('approval_requests')
      .values({
        kind: input.kind,
        requested_by: actor.id,
        requested_by_email: actor.email,
        reason: input.reason.trim(),
        summary: input.summary,
        target_type: input.targetType,
        target_id: input.targetId,
        tenant_id: input.tenantId ?? null,
        change: JSON.stringify(input.change),
        guard: JSON.stringify(guard),
        created_at: now,
        expires_at: new Date(now.getTime() + APPROVAL_TTL_MS),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const request = toApprovalRequest(row)
    await audit(
      trx,
      context,
      'approval.request',
      request,
      {
        kind: request.kind,
        summary: request.summary,
        reason: request.reason,
        change: input.change,
        expiresAt: request.expiresAt.toISOString(),
      },
      now,
    )
    return { ok: true as const, request }
  })
}

/**
 * The console's gate: runs `run` at once when `kind` needs no approval, otherwise records a
 * request instead (requestApproval) and runs nothing.
 */
export async function gateOrRun<T>(
  db: Db,
  context: AuditContext,
  input: ApprovalInput,
  now: Date,
  run: () => Promise<T>,
): Promise<
  | { gated: false; result: T }
  | { gated: true; request: Awaited<ReturnType<typeof requestApproval>> }
> {
  if (!(await approvalRequired(db, input.kind, now.getTime())))
    return { gated: false, result: await run() }
  return { gated: true, request: await requestApproval(db, context, input, now) }
}

export type DecideRefusal =
  | 'not_found'
  | 'not_pending'
  | 'self_approval'
  | 'forbidden'
  | 'expired'
  | 'stale'
  | 'requester_cannot'

export type DecideResult =
  | DomainResult<{ request: ApprovalRequest }, DecideRefusal>
  | { ok: false; reason: 'failed'; detail: string }

/**
 * A second operator's decision. Refuses, in this order: no such request (`not_found`), not
 * pending or already being approved (`not_pending`), the requester deciding their own
 * (`self_approval`), a role other than owner or admin or an inactive approver (`forbidden`), past
 * expires_at (`expired`; the request is marked expired). A rejection is recorded and audited
 * `approval.reject`. An approval first claims the request (compare-and-set, so two approvers
 * cannot run it twice), then marks it `failed` when the requester is no longer active or no
 * longer holds the kind's permission (`requester_cannot`) or the target changed since the
 * request (`stale`); otherwise runs the kind's executor as the requester with `approvedBy` set,
 * and marks it `approved` with the result (`approval.approve`), or `failed` with the verb's own
 * refusal (`failed`, the reason in `detail`).
 * @param context the approver's request context; its actor is replaced by the approver
 */
export async function decideApproval(
  deps: ExecutorDeps,
  context: AuditContext,
  input: { id: string; approver: SuperAdmin; decision: 'approve' | 'reject'; note: string },
  now: Date,
): Promise<DecideResult> {
  const db = deps.database.db
  const { approver } = input
  const ctx: AuditContext = { ...context, actor: { id: approver.id, email: approver.email } }
  const request = await findApproval(db, input.id)
  if (!request) return refuse('not_found')
  if (request.status !== 'pending' || request.decidedBy) return refuse('not_pending')
  if (request.requestedBy === approver.id) return refuse('self_approval')
  if (!approver.isActive || !(DECIDING_ROLES as readonly string[]).includes(approver.role))
    return refuse('forbidden')
  if (now >= request.expiresAt) {
    await expireApprovals(db, now, request.id)
    return refuse('expired')
  }
  const note = input.note.trim().slice(0, 500) || null
  const decision = input.decision === 'approve' ? 'pending' : 'rejected'
  const claimed = await claim(db, request.id, approver, decision, note, now)
  if (!claimed) return refuse('not_pending')
  if (input.decision === 'reject') {
    await db
      .transaction()
      .execute((trx) =>
        audit(trx, ctx, 'approval.reject', claimed, { status: 'rejected', note }, now),
      )
    return { ok: true, request: claimed }
  }
  return execute(deps, ctx, claimed, approver, now)
}

/** Runs a claimed request as its requester, or marks it failed; see decideApproval. */
async function execute(
  deps: ExecutorDeps,
  ctx: AuditContext,
  request: ApprovalRequest,
  approver: SuperAdmin,
  now: Date,
): Promise<DecideResult> {
  const db = deps.database.db
  const executor = EXECUTORS[request.kind] as Executor<ApprovalKind>
  const requester = await findSuperAdminById(db, request.requestedBy)
  if (!requester?.isActive || !roleCan(requester.role, executor.permission)) {
    await finish(db, ctx, request, 'failed', { reason: 'requester_cannot' }, now)
    return refuse('requester_cannot')
  }
  const guard = await executor.guardOf(db, request.change as never)
  if (guard === undefined || canonicalJson(guard) !== canonicalJson(request.guard)) {
    await finish(db, ctx, request, 'failed', { reason: 'stale', now: guard ?? null }, now)
    return refuse('stale')
  }
  // Runs as the requester: the verb's own audit entry names them as actor and the approver.
  const asRequester: AuditContext = {
    ...ctx,
    actor: { id: requester.id, email: requester.email },
    approvedBy: { id: approver.id, email: approver.email },
  }
  let outcome
  try {
    outcome = await executor.run(deps, asRequester, request.change as never, now)
  } catch (error) {
    await finish(db, ctx, request, 'failed', { reason: 'error' }, now)
    throw error
  }
  if (!outcome.ok) {
    await finish(db, ctx, request, 'failed', { reason: outcome.reason }, now)
    return { ok: false, reason: 'failed', detail: outcome.reason }
  }
  const done = await finish(db, ctx, request, 'approved', outcome.result, now)
  return { ok: true, request: done }
}

/**
 * Compare-and-set on a pending, undecided, unexpired request: records the decider (and, for a
 * rejection, the final status). Races are closed here: of two deciders, one gets undefined.
 */
async function claim(
  db: Db,
  id: string,
  decider: SuperAdmin,
  status: 'pending' | 'rejected',
  note: string | null,
  now: Date,
): Promise<ApprovalRequest | undefined> {
  const row = await db
    .updateTable('approval_requests')
    .set({
      status,
      decided_by: decider.id,
      decided_by_email: decider.email,
      decided_at: now,
      decision_note: note,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('decided_by', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst()
  return row && toApprovalRequest(row)
}

/** Sets the final status and result of a claimed approval and audits it, in one transaction. */
async function finish(
  db: Db,
  ctx: AuditContext,
  request: ApprovalRequest,
  status: 'approved' | 'failed',
  result: Record<string, unknown>,
  now: Date,
): Promise<ApprovalRequest> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('approval_requests')
      .set({ status, result: JSON.stringify(result) })
      .where('id', '=', request.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const action = status === 'approved' ? 'approval.approve' : 'approval.fail'
    await audit(trx, ctx, action, request, { status, note: request.decisionNote, result }, now)
    return toApprovalRequest(row)
  })
}

/**
 * The requester withdraws their own pending request, audited `approval.cancel`.
 * @returns refusals: `not_found`, `not_requester` (someone else's), `not_pending`
 */
export async function cancelApproval(
  db: Db,
  context: AuditContext,
  input: { id: string; by: SuperAdmin },
  now: Date,
): Promise<
  DomainResult<{ request: ApprovalRequest }, 'not_found' | 'not_requester' | 'not_pending'>
> {
  const request = await findApproval(db, input.id)
  if (!request) return refuse('not_found')
  if (request.requestedBy !== input.by.id) return refuse('not_requester')
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('approval_requests')
      .set({ status: 'cancelled', decided_at: now })
      .where('id', '=', request.id)
      .where('status', '=', 'pending')
      .where('decided_by', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (!row) return refuse('not_pending')
    const cancelled = toApprovalRequest(row)
    await audit(trx, context, 'approval.cancel', cancelled, { status: 'cancelled' }, now)
    return { ok: true as const, request: cancelled }
  })
}

/**
 * Marks pending, undecided requests whose expires_at has passed as `expired`, each audited
 * `approval.expire` by no actor (the periodic sweep; decideApproval for one `onlyId`).
 * @returns how many expired
 */
export async function expireApprovals(db: Db, now: Date, onlyId?: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .updateTable('approval_requests')
      .set({ status: 'expired', decided_at: now })
      .where('status', '=', 'pending')
      .where('decided_by', 'is', null)
      .where('expires_at', '<=', now)
    if (onlyId) query = query.where('id', '=', onlyId)
    const rows = await query.returningAll().execute()
    for (const row of rows)
      await audit(
        trx,
        { actor: null },
        'approval.expire',
        toApprovalRequest(row),
        { status: 'expired' },
        now,
      )
    return rows.length
  })
}

async function audit(
  trx: Parameters<typeof appendAuditEntry>[0],
  context: AuditContext,
  action: string,
  request: ApprovalRequest,
  after: Record<string, unknown>,
  now: Date,
) {
  await appendAuditEntry(
    trx,
    context,
    {
      action,
      targetType: 'approval_request',
      targetId: request.id,
      tenantId: request.tenantId,
      before: action === 'approval.request' ? null : { status: 'pending', kind: request.kind },
      after,
    },
    now,
  )
}
