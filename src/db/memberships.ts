import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database, MembershipRole, TenantStatus } from './schema.js'
import { isUuid } from './tenants.js'
import type { UserStatus } from './users.js'

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

/** The roles a membership can have, most powerful first (`memberships.role`). */
export const MEMBERSHIP_ROLES: MembershipRole[] = ['owner', 'admin', 'member']

/** One membership seen from either side: the user, the tenant, the role and since when. */
export type Membership = {
  userId: string
  email: string
  name: string
  userStatus: UserStatus
  tenantId: string
  slug: string
  tenantName: string
  tenantStatus: TenantStatus
  role: MembershipRole
  since: Date
}

function membershipsQuery(db: Db) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
    .select([
      'memberships.user_id',
      'users.email',
      'users.name',
      'users.status as user_status',
      'memberships.tenant_id',
      'tenants.slug',
      'tenants.name as tenant_name',
      'tenants.status as tenant_status',
      'memberships.role',
      'memberships.created_at',
    ])
}

type MembershipRow = Awaited<ReturnType<ReturnType<typeof membershipsQuery>['execute']>>[number]

function toMembership(r: MembershipRow): Membership {
  return {
    userId: r.user_id,
    email: r.email,
    name: r.name,
    userStatus: r.user_status,
    tenantId: r.tenant_id,
    slug: r.slug,
    tenantName: r.tenant_name,
    tenantStatus: r.tenant_status,
    role: r.role,
    since: r.created_at,
  }
}

/** Every membership of a user, oldest first (a user belongs to a handful of tenants). */
export async function listUserMemberships(db: Db, userId: string): Promise<Membership[]> {
  const rows = await membershipsQuery(db)
    .where('memberships.user_id', '=', userId)
    .orderBy('memberships.created_at')
    .orderBy('tenants.slug')
    .execute()
  return rows.map(toMembership)
}

/** One membership, or undefined (ids that are not uuids included). */
export async function findMembership(
  db: Db,
  userId: string,
  tenantId: string,
): Promise<Membership | undefined> {
  if (!isUuid(userId) || !isUuid(tenantId)) return undefined
  const row = await membershipsQuery(db)
    .where('memberships.user_id', '=', userId)
    .where('memberships.tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row && toMembership(row)
}

export type MemberFilter = {
  /** Substring of the member's email or name, case-insensitive. */
  q?: string
  /** Keyset: the page after the member with this user id. */
  after?: string
  /** Rows per page; default 50. */
  limit?: number
}

const ROLE_RANK = sql<number>`case memberships.role when 'owner' then 0 when 'admin' then 1 else 2 end`

/**
 * One page of a tenant's members (issue 7 item 4): owners first, then admins, then members, each
 * by email; keyset paging on (role rank, lower(email), user id) after the member `after`, so a
 * page costs the same at any depth. One statement; limit + 1 rows tell if there is more.
 */
export async function listTenantMembersPage(
  db: Db,
  tenantId: string,
  filter: MemberFilter = {},
): Promise<{ items: Membership[]; nextAfter?: string }> {
  const limit = filter.limit ?? 50
  const q = filter.q?.trim()
  const after = filter.after && isUuid(filter.after) ? filter.after : undefined
  let query = membershipsQuery(db)
    .where('memberships.tenant_id', '=', tenantId)
    .orderBy(ROLE_RANK)
    .orderBy(sql`lower(users.email)`)
    .orderBy('memberships.user_id')
    .limit(limit + 1)
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
    query = query.where(sql<boolean>`(users.email ilike ${pattern} or users.name ilike ${pattern})`)
  }
  if (after)
    query = query.where(
      sql<boolean>`(${ROLE_RANK}, lower(users.email), memberships.user_id) > (
        select case a.role when 'owner' then 0 when 'admin' then 1 else 2 end, lower(au.email), a.user_id
        from memberships a join users au on au.id = a.user_id
        where a.tenant_id = ${tenantId} and a.user_id = ${after})`,
    )
  const rows = await query.execute()
  const items = rows.slice(0, limit).map(toMembership)
  return { items, nextAfter: rows.length > limit ? items.at(-1)?.userId : undefined }
}

/**
 * Locks the tenant's owner memberships (SELECT … FOR UPDATE) until the transaction ends and
 * returns their user ids. Every change that could take away an owner takes this lock first, so
 * two operators demoting the last two owners at once are serialised: the second one sees one
 * owner left and is refused (CONVENTIONS.md habit 7: races are closed in the database).
 */
export async function lockTenantOwners(
  trx: Transaction<Database>,
  tenantId: string,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('memberships')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .orderBy('user_id')
    .forUpdate()
    .execute()
  return rows.map((r) => r.user_id)
}

/** The membership's role, row-locked until the transaction ends; undefined when there is none. */
export async function findMembershipRoleForUpdate(
  trx: Transaction<Database>,
  userId: string,
  tenantId: string,
): Promise<MembershipRole | undefined> {
  const row = await trx
    .selectFrom('memberships')
    .select('role')
    .where('user_id', '=', userId)
    .where('tenant_id', '=', tenantId)
    .forUpdate()
    .executeTakeFirst()
  return row?.role
}

/** Sets a membership's role. */
export async function updateMembershipRole(
  trx: Transaction<Database>,
  userId: string,
  tenantId: string,
  role: MembershipRole,
): Promise<void> {
  await trx
    .updateTable('memberships')
    .set({ role })
    .where('user_id', '=', userId)
    .where('tenant_id', '=', tenantId)
    .execute()
}

/** Removes one membership; true when there was one. */
export async function deleteMembership(
  trx: Transaction<Database>,
  userId: string,
  tenantId: string,
): Promise<boolean> {
  const result = await trx
    .deleteFrom('memberships')
    .where('user_id', '=', userId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/**
 * The tenant with this slug, row-locked FOR SHARE until the transaction ends: a deletion (which
 * takes FOR UPDATE and removes every membership) waits for a membership being added, or the add
 * sees the tenant deleted. Undefined when no tenant has the slug.
 */
export async function lockTenantBySlug(
  trx: Transaction<Database>,
  slug: string,
): Promise<{ id: string; slug: string; status: TenantStatus } | undefined> {
  return trx
    .selectFrom('tenants')
    .select(['id', 'slug', 'status'])
    .where('slug', '=', slug)
    .forShare()
    .executeTakeFirst()
}

/** Inserts one membership; false when the user already belongs to the tenant. */
export async function insertMembership(
  trx: Transaction<Database>,
  membership: NewMembership,
): Promise<boolean> {
  return (await addMemberships(trx, [membership])).length === 1
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

/** The membership in `tenantId` of the user with this email (case-insensitive), or undefined. */
export async function findMembershipByEmail(
  db: Db,
  email: string,
  tenantId: string,
): Promise<Membership | undefined> {
  if (!isUuid(tenantId)) return undefined
  const row = await membershipsQuery(db)
    .where(sql<string>`lower(users.email)`, '=', email.toLowerCase())
    .where('memberships.tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row && toMembership(row)
}

/**
 * The first `limit` members of a tenant by email (case-insensitive, then user id), with how many
 * there are in all: the kit API's member list. Two statements.
 */
export async function listTenantMembersByEmail(
  db: Db,
  tenantId: string,
  limit: number,
): Promise<{ items: Membership[]; total: number }> {
  const [rows, total] = await Promise.all([
    membershipsQuery(db)
      .where('memberships.tenant_id', '=', tenantId)
      .orderBy(sql`lower(users.email)`)
      .orderBy('memberships.user_id')
      .limit(limit)
      .execute(),
    countTenantMemberships(db, tenantId),
  ])
  return { items: rows.map(toMembership), total }
}

/**
 * How many memberships the tenant has, whatever the users' status: what a plan's member quota
 * counts (seeds/002).
 */
export async function countTenantMemberships(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
