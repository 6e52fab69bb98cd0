import type { Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database, ImpersonationEndReason, ImpersonationMode, TenantStatus } from './schema.js'
import { isUuid } from './tenants.js'

// Rows of public.impersonations (issue 8 item 2; seeds 001, 002, 004): an operator acting as a
// tenant user, at most 60 minutes, at most one open per operator. The rules live in
// src/tenancy/impersonation.ts; the races (one open, one redemption, one end) close here.

/** One impersonation with the names the console and the kit API show. */
export type Impersonation = {
  id: string
  operatorId: string
  operatorEmail: string
  tenantId: string
  tenantSlug: string
  tenantName: string
  tenantStatus: TenantStatus
  userId: string
  userEmail: string
  userName: string
  appKeyId: string | null
  reason: string
  ticket: string | null
  mode: ImpersonationMode
  startedAt: Date
  expiresAt: Date
  endedAt: Date | null
  endedBy: string | null
  endReason: ImpersonationEndReason | null
  handoffJti: string | null
  handoffUsedAt: Date | null
  /** The operator's address when they started it. */
  ip: string | null
}

export type NewImpersonation = {
  operatorId: string
  operatorEmail: string
  tenantId: string
  userId: string
  appKeyId: string
  reason: string
  ticket: string | null
  mode: ImpersonationMode
  startedAt: Date
  expiresAt: Date
  ip: string | null
  userAgent: string | null
  handoffJti: string
}

/**
 * Impersonations joined with their tenant and user, every column of `Impersonation` selected: the
 * base of every read here and of the /impersonations list (./impersonation-list.ts).
 */
export function joinedImpersonations(db: Db) {
  return db
    .selectFrom('impersonations as i')
    .innerJoin('tenants as t', 't.id', 'i.tenant_id')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select([
      'i.id',
      'i.operator_id as operatorId',
      'i.operator_email as operatorEmail',
      'i.tenant_id as tenantId',
      't.slug as tenantSlug',
      't.name as tenantName',
      't.status as tenantStatus',
      'i.user_id as userId',
      'u.email as userEmail',
      'u.name as userName',
      'i.app_key_id as appKeyId',
      'i.reason',
      'i.ticket',
      'i.mode',
      'i.started_at as startedAt',
      'i.expires_at as expiresAt',
      'i.ended_at as endedAt',
      'i.ended_by as endedBy',
      'i.end_reason as endReason',
      'i.handoff_jti as handoffJti',
      'i.handoff_used_at as handoffUsedAt',
      'i.ip',
    ])
}

/**
 * Inserts an open impersonation.
 * @returns its id
 * @throws a unique violation (`impersonations_one_open_per_operator`) when the operator already
 *   has an open one: the race between two starts is closed by that partial index
 */
export async function insertImpersonation(
  trx: Transaction<Database>,
  row: NewImpersonation,
): Promise<string> {
  const { id } = await trx
    .insertInto('impersonations')
    .values({
      operator_id: row.operatorId,
      operator_email: row.operatorEmail,
      tenant_id: row.tenantId,
      user_id: row.userId,
      app_key_id: row.appKeyId,
      reason: row.reason,
      ticket: row.ticket,
      mode: row.mode,
      started_at: row.startedAt,
      expires_at: row.expiresAt,
      ip: row.ip,
      user_agent: row.userAgent,
      handoff_jti: row.handoffJti,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/**
 * The impersonation `id` (undefined when there is none, or `id` is not a uuid), locked FOR
 * UPDATE with `lock` (inside a transaction that acts on it).
 */
export async function findImpersonation(
  db: Db,
  id: string,
  lock = false,
): Promise<Impersonation | undefined> {
  if (!isUuid(id)) return undefined
  const query = joinedImpersonations(db).where('i.id', '=', id)
  return (lock ? query.forUpdate('i') : query).executeTakeFirst()
}

/**
 * The operator's open impersonation (not ended; it may have lapsed), locked FOR UPDATE when `db`
 * is a transaction that will change it. At most one exists (a partial unique index).
 */
export async function findOpenImpersonation(
  db: Db,
  operatorId: string,
  lock = false,
): Promise<Impersonation | undefined> {
  const query = joinedImpersonations(db)
    .where('i.operator_id', '=', operatorId)
    .where('i.ended_at', 'is', null)
  return (lock ? query.forUpdate('i') : query).executeTakeFirst()
}

/**
 * Marks handoff `jti` of impersonation `id` used at `now`, in one compare-and-set: only when it
 * is that impersonation's current jti, unused, and the impersonation is open and unexpired. Of
 * two redemptions of one token, one wins.
 * @returns true when this call redeemed it
 */
export async function redeemHandoffJti(
  db: Db,
  id: string,
  jti: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('impersonations')
    .set({ handoff_used_at: now })
    .where('id', '=', id)
    .where('handoff_jti', '=', jti)
    .where('handoff_used_at', 'is', null)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Replaces the handoff jti of an open, unexpired impersonation (a fresh "Open app"): the
 * previous token can no longer be redeemed.
 * @returns true when it was replaced
 */
export async function replaceHandoffJti(
  db: Db,
  id: string,
  jti: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('impersonations')
    .set({ handoff_jti: jti, handoff_used_at: null })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Ends an open impersonation (compare-and-set on `ended_at is null`).
 * @returns true when this call ended it; false when it had already ended
 */
export async function markImpersonationEnded(
  db: Db,
  id: string,
  end: { endedAt: Date; endedBy: string | null; endReason: ImpersonationEndReason },
): Promise<boolean> {
  const row = await db
    .updateTable('impersonations')
    .set({ ended_at: end.endedAt, ended_by: end.endedBy, end_reason: end.endReason })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Open impersonations whose time ran out (`expires_at <= now`), oldest first, locked FOR UPDATE
 * SKIP LOCKED so two expiry runs never take the same one; at most `limit` (100), or only `id`.
 */
export async function lockLapsedImpersonations(
  trx: Transaction<Database>,
  now: Date,
  only: { limit?: number; id?: string } = {},
): Promise<Impersonation[]> {
  let query = joinedImpersonations(trx)
    .where('i.ended_at', 'is', null)
    .where('i.expires_at', '<=', now)
  if (only.id) query = query.where('i.id', '=', only.id)
  return query
    .orderBy('i.expires_at')
    .limit(only.limit ?? 100)
    .forUpdate('i')
    .skipLocked()
    .execute()
}

/** The open impersonations of tenant `tenantId` (lapsed or not), locked FOR UPDATE. */
export async function lockOpenImpersonationsOfTenant(
  trx: Transaction<Database>,
  tenantId: string,
): Promise<Impersonation[]> {
  return joinedImpersonations(trx)
    .where('i.tenant_id', '=', tenantId)
    .where('i.ended_at', 'is', null)
    .forUpdate('i')
    .execute()
}
