import { sql } from 'kysely'
import type { Db } from './database.js'
import { joinedImpersonations, type Impersonation } from './impersonations.js'

// The /impersonations list (issue 8 item 2): active and past impersonations, newest first,
// filtered by operator, tenant, start date and status.

export const IMPERSONATION_STATUSES = ['active', 'ended'] as const
export type ImpersonationStatusFilter = (typeof IMPERSONATION_STATUSES)[number]

export type ImpersonationFilter = {
  /** Part of the operator's email, case-insensitive. */
  operator?: string
  /** The tenant's exact slug. */
  tenantSlug?: string
  /** Started at or after this instant. */
  startedFrom?: Date
  /** Started before this instant. */
  startedBefore?: Date
  /** `active`: open and unexpired at `now`; `ended`: ended, or lapsed and awaiting expiry. */
  status?: ImpersonationStatusFilter
  now: Date
  /** 1-based. */
  page: number
  perPage: number
}

export type ImpersonationListItem = Impersonation

/**
 * One page of impersonations, newest first (the `started_at desc` index), and whether another
 * page follows (one row more is read to know).
 */
export async function listImpersonations(
  db: Db,
  f: ImpersonationFilter,
): Promise<{ items: ImpersonationListItem[]; hasMore: boolean }> {
  let query = joinedImpersonations(db)
  if (f.operator) {
    const pattern = `%${f.operator.replace(/[\\%_]/g, '\\$&')}%`
    query = query.where(sql<boolean>`i.operator_email ilike ${pattern}`)
  }
  if (f.tenantSlug) query = query.where('t.slug', '=', f.tenantSlug)
  if (f.startedFrom) query = query.where('i.started_at', '>=', f.startedFrom)
  if (f.startedBefore) query = query.where('i.started_at', '<', f.startedBefore)
  if (f.status === 'active') {
    query = query.where('i.ended_at', 'is', null).where('i.expires_at', '>', f.now)
  } else if (f.status === 'ended') {
    query = query.where((eb) =>
      eb.or([eb('i.ended_at', 'is not', null), eb('i.expires_at', '<=', f.now)]),
    )
  }
  const rows = await query
    .orderBy('i.started_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(f.perPage + 1)
    .offset((f.page - 1) * f.perPage)
    .execute()
  return { items: rows.slice(0, f.perPage), hasMore: rows.length > f.perPage }
}
