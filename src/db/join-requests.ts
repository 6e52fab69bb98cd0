import { sql } from 'kysely'
import type { Db } from './database.js'
import type { JoinRequestStatus, MembershipRole, TenantStatus } from './schema.js'
import type { TenantScope } from './tenant-scope.js'

// Join requests (`public.join_requests`, issue 7 item 3, seed 000 "Join Requests"): someone asks
// to join a tenant; an operator approves with a role or denies with a reason, once.

export const JOIN_REQUEST_STATUSES: JoinRequestStatus[] = ['pending', 'approved', 'denied']

export type JoinRequest = {
  id: string
  email: string
  /** The name the requester gave, if any. */
  name: string | null
  /** The user with this email, once one exists (set at the latest on approval). */
  userId: string | null
  tenantId: string
  message: string
  status: JoinRequestStatus
  role: MembershipRole | null
  decidedBy: string | null
  decidedAt: Date | null
  reason: string | null
  createdAt: Date
}

/** A request as the list shows it: its tenant and user named, the deciding operator's email. */
export type JoinRequestListItem = JoinRequest & {
  tenantSlug: string
  tenantName: string
  tenantStatus: TenantStatus
  userName: string | null
  decidedByEmail: string | null
}

/** A request with its tenant, locked for a decision. */
export type LockedJoinRequest = JoinRequest & {
  tenantSlug: string
  tenantName: string
  tenantStatus: TenantStatus
}

export type JoinRequestFilter = {
  /** One tenant (on top of the scope: both must hold). */
  tenantId?: string
  status?: JoinRequestStatus
  /** Only requests created more than this many days before `now`. */
  olderThanDays?: number
  now?: Date
  page?: number
  perPage?: number
}

type Row = {
  id: string
  email: string
  name: string | null
  user_id: string | null
  tenant_id: string
  message: string
  status: JoinRequestStatus
  role: MembershipRole | null
  decided_by: string | null
  decided_at: Date | null
  reason: string | null
  created_at: Date
}

function toJoinRequest(row: Row): JoinRequest {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    userId: row.user_id,
    tenantId: row.tenant_id,
    message: row.message,
    status: row.status,
    role: row.role,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    reason: row.reason,
    createdAt: row.created_at,
  }
}

const DAY_MS = 86_400_000

/** Past this many matches the list says "more than" instead of counting every row. */
export const JOIN_REQUEST_COUNT_CAP = 10_000

/**
 * One page of join requests: pending first, then newest (ties by id, so pages never overlap),
 * each with its tenant's slug, name and status, the user's name and the decider's email joined
 * in the same statement; and the total over all pages, counted beside it up to
 * JOIN_REQUEST_COUNT_CAP (`capped` then says there are more), so its cost stays bounded. The
 * page follows the list indexes (`join_requests_list_idx`, `_tenant_idx`, `_status_idx`).
 * @param scope the console's tenant scope (src/db/tenant-scope.ts): narrows to one tenant when set
 * @param filter tenant, status, age in whole days; `page` from 1, `perPage` default 50
 */
export async function listJoinRequests(
  db: Db,
  scope: TenantScope,
  filter: JoinRequestFilter,
): Promise<{ items: JoinRequestListItem[]; total: number; capped: boolean }> {
  const perPage = filter.perPage ?? 50
  const page = Math.max(1, filter.page ?? 1)
  let base = db.selectFrom('join_requests')
  if (scope.tenantId) base = base.where('join_requests.tenant_id', '=', scope.tenantId)
  if (filter.tenantId) base = base.where('join_requests.tenant_id', '=', filter.tenantId)
  if (filter.status) base = base.where('join_requests.status', '=', filter.status)
  if (filter.olderThanDays) {
    const before = new Date((filter.now ?? new Date()).getTime() - filter.olderThanDays * DAY_MS)
    base = base.where('join_requests.created_at', '<', before)
  }
  const [rows, count] = await Promise.all([
    base
      .innerJoin('tenants', 'tenants.id', 'join_requests.tenant_id')
      .leftJoin('users', 'users.id', 'join_requests.user_id')
      .leftJoin('super_admins', 'super_admins.id', 'join_requests.decided_by')
      .selectAll('join_requests')
      .select([
        'tenants.slug as tenant_slug',
        'tenants.name as tenant_name',
        'tenants.status as tenant_status',
        'users.name as user_name',
        'super_admins.email as decided_by_email',
      ])
      .orderBy(sql`join_requests.status <> 'pending'`)
      .orderBy('join_requests.created_at', 'desc')
      .orderBy('join_requests.id', 'desc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute(),
    db
      .selectFrom(
        base
          .select(sql.lit(1).as('one'))
          .limit(JOIN_REQUEST_COUNT_CAP + 1)
          .as('m'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  const items = rows.map((r) => ({
    ...toJoinRequest(r),
    tenantSlug: r.tenant_slug,
    tenantName: r.tenant_name,
    tenantStatus: r.tenant_status,
    userName: r.user_name,
    decidedByEmail: r.decided_by_email,
  }))
  const n = Number(count.n)
  return { items, total: Math.min(n, JOIN_REQUEST_COUNT_CAP), capped: n > JOIN_REQUEST_COUNT_CAP }
}

/** Pending requests in the scope: one count over the partial index of pending rows. */
export async function countPendingJoinRequests(db: Db, scope: TenantScope): Promise<number> {
  let query = db
    .selectFrom('join_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
  if (scope.tenantId) query = query.where('tenant_id', '=', scope.tenantId)
  return Number((await query.executeTakeFirstOrThrow()).n)
}

export type NewJoinRequest = {
  id: string
  email: string
  name: string | null
  userId: string | null
  tenantId: string
  message: string
  status: JoinRequestStatus
  role?: MembershipRole | null
  decidedAt?: Date | null
  reason?: string | null
  createdAt: Date
}

/**
 * Inserts a request.
 * @returns the request, or undefined when a pending one for this tenant and email (any case)
 *   exists already (the partial unique index `join_requests_pending_key`)
 */
export async function insertJoinRequest(
  db: Db,
  request: NewJoinRequest,
): Promise<JoinRequest | undefined> {
  const row = await db
    .insertInto('join_requests')
    .values({
      id: request.id,
      email: request.email,
      name: request.name,
      user_id: request.userId,
      tenant_id: request.tenantId,
      message: request.message,
      status: request.status,
      role: request.role ?? null,
      decided_at: request.decidedAt ?? null,
      reason: request.reason ?? null,
      created_at: request.createdAt,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()
  return row && toJoinRequest(row)
}

/**
 * The requests with these ids and their tenants, locked for a decision: the requests `FOR
 * UPDATE` (in id order, so two bulk decisions never deadlock) and their tenants `FOR SHARE`, so
 * neither the request nor its tenant's status changes before the transaction ends. Ids that are
 * not uuids or do not exist are left out. Must run in a transaction.
 */
export async function lockJoinRequests(db: Db, ids: string[]): Promise<LockedJoinRequest[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('join_requests')
    .innerJoin('tenants', 'tenants.id', 'join_requests.tenant_id')
    .selectAll('join_requests')
    .select([
      'tenants.slug as tenant_slug',
      'tenants.name as tenant_name',
      'tenants.status as tenant_status',
    ])
    .where('join_requests.id', 'in', ids)
    .orderBy('join_requests.id')
    .modifyEnd(sql`for update of join_requests for share of tenants`)
    .execute()
  return rows.map((r) => ({
    ...toJoinRequest(r),
    tenantSlug: r.tenant_slug,
    tenantName: r.tenant_name,
    tenantStatus: r.tenant_status,
  }))
}

export type JoinRequestDecision =
  | { status: 'approved'; role: MembershipRole; userId: string }
  | { status: 'denied'; reason: string }

/**
 * Decides one request, compare-and-set on `status = 'pending'`.
 * @returns the request as decided, or undefined when it was not pending (decided by someone else)
 */
export async function decideJoinRequest(
  db: Db,
  id: string,
  decision: JoinRequestDecision,
  decidedBy: string | null,
  now: Date,
): Promise<JoinRequest | undefined> {
  const row = await db
    .updateTable('join_requests')
    .set({
      status: decision.status,
      role: decision.status === 'approved' ? decision.role : null,
      user_id: decision.status === 'approved' ? decision.userId : undefined,
      reason: decision.status === 'denied' ? decision.reason : null,
      decided_by: decidedBy,
      decided_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst()
  return row && toJoinRequest(row)
}

/**
 * The tenant's slug, status and member quota (its plan's `max_members`, null = unlimited), its
 * row locked `FOR UPDATE`: a suspension or deletion waits for the transaction, and so does every
 * other addition to this tenant (kit API or join), so two of them cannot both take the last seat
 * (seeds/002). Undefined when there is no such tenant. Must run in a transaction.
 */
export async function lockTenantForJoin(
  db: Db,
  tenantId: string,
): Promise<
  | { id: string; slug: string; name: string; status: TenantStatus; memberQuota: number | null }
  | undefined
> {
  const row = await db
    .selectFrom('tenants')
    .innerJoin('plans', 'plans.id', 'tenants.plan_id')
    .select([
      'tenants.id',
      'tenants.slug',
      'tenants.name',
      'tenants.status',
      'plans.max_members as memberQuota',
    ])
    .where('tenants.id', '=', tenantId)
    .forUpdate('tenants')
    .executeTakeFirst()
  return row
}

/** True when the user already belongs to the tenant, whatever the role. */
export async function hasMembership(db: Db, userId: string, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row !== undefined
}
