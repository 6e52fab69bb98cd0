import { sql } from 'kysely'
import type { Db } from './database.js'
import type { MembershipRole } from './schema.js'

// Who belongs to which tenant, with which role (`public.memberships`, DESIGN.md §2).

export type NewMembership = {
  userId: string
  tenantId: string
  role: MembershipRole
  createdAt: Date
}

/**
 * Inserts memberships, leaving an existing (tenant, user) pair as it is, in one statement.
 * @returns the user ids whose membership was inserted now
 */
export async function addMemberships(db: Db, memberships: NewMembership[]): Promise<string[]> {
  if (memberships.length === 0) return []
  const rows = await db
    .insertInto('memberships')
    .values(
      memberships.map((m) => ({
        user_id: m.userId,
        tenant_id: m.tenantId,
        role: m.role,
        created_at: m.createdAt,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute()
  return rows.map((r) => r.user_id)
}

/** Removes every membership of a tenant; returns how many were removed. */
export async function deleteTenantMemberships(db: Db, tenantId: string): Promise<number> {
  const result = await db
    .deleteFrom('memberships')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Bulk form of addMemberships for loads of thousands of rows per call (the demo fleet): one
 * statement of four array parameters through unnest; an existing (tenant, user) pair is left as
 * it is (so an owner stays an owner).
 * @returns how many memberships were inserted
 */
export async function insertMembershipsInBulk(
  db: Db,
  memberships: NewMembership[],
): Promise<number> {
  if (memberships.length === 0) return 0
  const result = await sql`
    insert into memberships (user_id, tenant_id, role, created_at)
    select * from unnest(
      ${memberships.map((m) => m.userId)}::uuid[],
      ${memberships.map((m) => m.tenantId)}::uuid[],
      ${memberships.map((m) => m.role)}::text[],
      ${memberships.map((m) => m.createdAt)}::timestamptz[])
    on conflict (tenant_id, user_id) do nothing`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}
