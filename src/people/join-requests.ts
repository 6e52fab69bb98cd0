import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  decideJoinRequest,
  hasMembership,
  insertJoinRequest,
  lockJoinRequests,
  lockTenantForJoin,
  type JoinRequest,
  type LockedJoinRequest,
} from '../db/join-requests.js'
import { isAutoJoinDomain } from '../db/auto-join-domains.js'
import { addMemberships, countTenantMemberships } from '../db/memberships.js'
import type { Database, MembershipRole, TenantStatus } from '../db/schema.js'
import type { Transaction } from 'kysely'
import { isUuid } from '../db/tenants.js'
import { findUsersByEmails, upsertUser } from '../db/users.js'
import { refuse, type DomainResult, type Refusal } from '../domain-result.js'

// Join requests (issue 7 item 3, seed 000 "Join Requests: approve or deny requests from users
// wanting to join specific organizations"). Each verb is one transaction: the change and its
// audit entries (before → after) commit together or not at all.

/** Only an active tenant takes new members: not while provisioning, failed, suspended or deleted. */
export function acceptsMembers(status: TenantStatus): boolean {
  return status === 'active'
}

/** The domain of an email address, lower case: `Ann@Acme.COM` → `acme.com`. */
export function emailDomain(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase()
}

export type JoinRequestInput = {
  email: string
  name?: string
  tenantId: string
  message: string
  /** What filed it when not an operator (the app key's name), kept as `after.via` in the audit. */
  via?: string
}

/**
 * Files a request to join a tenant, for the tenant-side kit API (later) and the demo fleet. When
 * the email's domain is one of the tenant's auto-join domains the request is approved at once as
 * `member` (the user created if new) and audited as `join_request.auto_approve`; otherwise it is
 * stored `pending` and audited as `join_request.submit`. An auto-join domain does not open a seat
 * the plan does not have: when the member quota is reached the request waits `pending` for a
 * person to decide (seeds/002: a tightened quota blocks new additions), audited with
 * `after.quotaReached`.
 * Refusals: `unknown_tenant`; `tenant_unavailable` (not active: suspended, deleted, still
 * onboarding); `already_member`; `already_pending` (one open request per tenant and email).
 */
export async function submitJoinRequest(
  db: Db,
  context: AuditContext,
  input: JoinRequestInput,
  now = new Date(),
): Promise<
  DomainResult<
    { request: JoinRequest; autoJoined: boolean },
    'unknown_tenant' | 'tenant_unavailable' | 'already_member' | 'already_pending'
  >
> {
  const email = input.email.trim()
  const name = input.name?.trim() || null
  return db.transaction().execute(async (trx) => {
    const tenant = await lockTenantForJoin(trx, input.tenantId)
    if (!tenant) return refuse('unknown_tenant')
    if (!acceptsMembers(tenant.status)) return refuse('tenant_unavailable')
    const [existing] = await findUsersByEmails(trx, [email])
    if (existing && (await hasMembership(trx, existing.id, tenant.id)))
      return refuse('already_member')
    const domain = emailDomain(email)
    const autoJoinDomain = await isAutoJoinDomain(trx, tenant.id, domain)
    const quotaReached =
      autoJoinDomain &&
      tenant.memberQuota !== null &&
      (await countTenantMemberships(trx, tenant.id)) >= tenant.memberQuota
    const autoJoin = autoJoinDomain && !quotaReached
    const userId = autoJoin
      ? await upsertUser(trx, email, name ?? localPart(email), now)
      : (existing?.id ?? null)
    const request = await insertJoinRequest(trx, {
      id: crypto.randomUUID(),
      email,
      name,
      userId,
      tenantId: tenant.id,
      message: input.message.trim(),
      status: autoJoin ? 'approved' : 'pending',
      role: autoJoin ? 'member' : null,
      decidedAt: autoJoin ? now : null,
      reason: autoJoin ? `auto-join domain ${domain}` : null,
      createdAt: now,
    })
    if (!request) return refuse('already_pending')
    if (autoJoin)
      await addMemberships(trx, [
        { userId: userId!, tenantId: tenant.id, role: 'member', createdAt: now },
      ])
    await appendAuditEntry(
      trx,
      context,
      {
        action: autoJoin ? 'join_request.auto_approve' : 'join_request.submit',
        targetType: 'join_request',
        targetId: request.id,
        tenantId: tenant.id,
        before: null,
        after: {
          email,
          status: request.status,
          ...(autoJoin ? { role: 'member', userId, domain } : {}),
          ...(quotaReached ? { quotaReached: true, memberQuota: tenant.memberQuota } : {}),
          ...(input.via ? { via: input.via } : {}),
        },
      },
      now,
    )
    return { ok: true as const, request, autoJoined: autoJoin }
  })
}

function localPart(email: string): string {
  return email.slice(0, email.lastIndexOf('@')) || email
}

/** Requests that stopped a decision, named for the message the operator reads. */
export type BlockedRequest = { id: string; email: string; tenantSlug: string; detail: string }

export type DecisionRefusal = Refusal<'not_found' | 'already_decided' | 'tenant_unavailable'> & {
  /** The requests that caused the refusal (empty for not_found: ids the database does not have). */
  blocked: BlockedRequest[]
}

export type DecisionResult =
  | { ok: true; decided: JoinRequest[]; batchId: string; usersCreated: number }
  | DecisionRefusal
  | Refusal<'reason_required'>

/** Thrown inside the transaction to roll it back with a refusal as the verb's value. */
class Refused extends Error {
  constructor(readonly refusal: DecisionRefusal) {
    super(refusal.reason)
  }
}

/**
 * The locked requests when every id exists and is still pending; otherwise the refusal (nothing
 * was changed yet). Approval also needs every tenant to take members.
 */
async function lockPending(
  trx: Db,
  ids: string[],
  forApproval: boolean,
): Promise<LockedJoinRequest[] | DecisionRefusal> {
  const rows = await lockJoinRequests(trx, ids)
  if (rows.length < ids.length) return { ...refuse('not_found'), blocked: [] }
  const block = (r: LockedJoinRequest, detail: string) => ({
    id: r.id,
    email: r.email,
    tenantSlug: r.tenantSlug,
    detail,
  })
  const decided = rows.filter((r) => r.status !== 'pending')
  if (decided.length > 0)
    return { ...refuse('already_decided'), blocked: decided.map((r) => block(r, r.status)) }
  const closed = rows.filter((r) => !acceptsMembers(r.tenantStatus))
  if (forApproval && closed.length > 0)
    return {
      ...refuse('tenant_unavailable'),
      blocked: closed.map((r) => block(r, r.tenantStatus)),
    }
  return rows
}

/**
 * Approves pending requests with one role: for each, the user is created when the email is new
 * (src/db/users.ts upsertUser) and the membership added (an existing one is left as it is),
 * the request marked approved (compare-and-set on `pending`) and audited as
 * `join_request.approve`. All in one transaction, all or nothing; every entry of one call shares
 * one batch id (the context's, or a new one), so a bulk approval reads as one act in the log.
 * Refusals, with nothing changed: `not_found` (an id the database does not have),
 * `already_decided`, `tenant_unavailable` (a tenant that is not active: issue 7 item 3).
 */
export async function approveJoinRequests(
  db: Db,
  context: AuditContext,
  ids: string[],
  role: MembershipRole,
  now = new Date(),
): Promise<DecisionResult> {
  const batch = { ...context, batchId: context.batchId ?? crypto.randomUUID() }
  return decide(db, ids, true, async (trx, rows) => {
    let usersCreated = 0
    const decided: JoinRequest[] = []
    for (const r of rows) {
      const known = r.userId ?? (await findUsersByEmails(trx, [r.email]))[0]?.id
      const userId = known ?? (await upsertUser(trx, r.email, r.name ?? localPart(r.email), now))
      if (!known) usersCreated++
      const added = await addMemberships(trx, [
        { userId, tenantId: r.tenantId, role, createdAt: now },
      ])
      const after = await decideJoinRequest(
        trx,
        r.id,
        { status: 'approved', role, userId },
        actorId(context),
        now,
      )
      if (!after) throw new Refused({ ...refuse('already_decided'), blocked: [] })
      await appendAuditEntry(
        trx,
        batch,
        {
          action: 'join_request.approve',
          targetType: 'join_request',
          targetId: r.id,
          tenantId: r.tenantId,
          before: { status: 'pending', email: r.email },
          after: {
            status: 'approved',
            role,
            userId,
            userCreated: !known,
            membershipCreated: added.length > 0,
          },
        },
        now,
      )
      decided.push(after)
    }
    return { ok: true, decided, batchId: batch.batchId, usersCreated }
  })
}

/**
 * Denies pending requests with a reason the requester can be told (required: `reason_required`
 * otherwise, nothing changed). Compare-and-set on `pending`, audited as `join_request.deny`, one
 * batch id for the call, one transaction. Refusals as approveJoinRequests, but a request for a
 * suspended or deleted tenant may be denied.
 */
export async function denyJoinRequests(
  db: Db,
  context: AuditContext,
  ids: string[],
  reason: string,
  now = new Date(),
): Promise<DecisionResult> {
  const why = reason.trim()
  if (!why) return refuse('reason_required')
  const batch = { ...context, batchId: context.batchId ?? crypto.randomUUID() }
  return decide(db, ids, false, async (trx, rows) => {
    const decided: JoinRequest[] = []
    for (const r of rows) {
      const after = await decideJoinRequest(
        trx,
        r.id,
        { status: 'denied', reason: why },
        actorId(context),
        now,
      )
      if (!after) throw new Refused({ ...refuse('already_decided'), blocked: [] })
      await appendAuditEntry(
        trx,
        batch,
        {
          action: 'join_request.deny',
          targetType: 'join_request',
          targetId: r.id,
          tenantId: r.tenantId,
          before: { status: 'pending', email: r.email },
          after: { status: 'denied', reason: why },
        },
        now,
      )
      decided.push(after)
    }
    return { ok: true, decided, batchId: batch.batchId, usersCreated: 0 }
  })
}

/** Opens the transaction, locks and checks the requests, runs `work`, or returns the refusal. */
async function decide(
  db: Db,
  ids: string[],
  forApproval: boolean,
  work: (trx: Transaction<Database>, rows: LockedJoinRequest[]) => Promise<DecisionResult>,
): Promise<DecisionResult> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))]
  if (unique.length === 0 || !unique.every(isUuid)) return { ...refuse('not_found'), blocked: [] }
  try {
    return await db.transaction().execute(async (trx) => {
      const rows = await lockPending(trx, unique, forApproval)
      return Array.isArray(rows) ? work(trx, rows) : rows
    })
  } catch (error) {
    if (error instanceof Refused) return error.refusal
    throw error
  }
}

function actorId(context: AuditContext): string | null {
  return context.actor?.id ?? null
}
