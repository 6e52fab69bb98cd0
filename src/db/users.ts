import { sql, type RawBuilder, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database, MembershipRole, UserSignInOutcome } from './schema.js'
import type { TenantScope } from './tenant-scope.js'
import { isUuid } from './tenants.js'

// Tenant users: one global identity per email (`public.users`, DESIGN.md §2), never operators.

export type UserStatus = 'invited' | 'active' | 'disabled'

export type NewUser = {
  id: string
  email: string
  name: string
  status: UserStatus
  createdAt: Date
  lastLoginAt?: Date | null
}

/** A user's id, email and name. */
export type UserRef = { id: string; email: string; name: string }

/**
 * The id of the global user with this email (case-insensitive, as the unique index on
 * lower(email)), inserting an active user when there is none.
 * Two concurrent calls for a new email (two join requests approved at once): the insert that
 * loses on the unique index does nothing, and the winner's row is read back — after the winner
 * commits, since the loser's insert waits on the index entry until then.
 */
export async function upsertUser(db: Db, email: string, name: string, now = new Date()) {
  const byEmail = () =>
    db
      .selectFrom('users')
      .select('id')
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirst()
  const existing = await byEmail()
  if (existing) return existing.id
  const inserted = await db
    .insertInto('users')
    .values({ id: crypto.randomUUID(), email, name, status: 'active', created_at: now })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (inserted) return inserted.id
  return (await byEmail())!.id
}

/** The users with these emails (case-insensitive), in no particular order. */
export async function findUsersByEmails(db: Db, emails: string[]): Promise<UserRef[]> {
  if (emails.length === 0) return []
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where(
      sql<string>`lower(email)`,
      'in',
      emails.map((e) => e.toLowerCase()),
    )
    .execute()
}

/** The statuses a tenant user can have (`users.status`). */
export const USER_STATUSES: UserStatus[] = ['invited', 'active', 'disabled']

/** A tenant user as the console shows one. */
export type User = {
  id: string
  email: string
  name: string
  status: UserStatus
  lastLoginAt: Date | null
  createdAt: Date
}

type UserRow = {
  id: string
  email: string
  name: string
  status: UserStatus
  last_login_at: Date | null
  created_at: Date
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
  }
}

/** The user with this id, or undefined (also for a string that is not a uuid). */
export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  if (!isUuid(id)) return undefined
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toUser(row)
}

/**
 * Moves a user from one of `from` to `to` in one compare-and-set statement (the row lock of the
 * UPDATE orders concurrent changes).
 * @returns the user before and after, or undefined when it does not exist or was not in `from`
 */
export async function transitionUserStatus(
  trx: Transaction<Database>,
  id: string,
  from: UserStatus[],
  to: UserStatus,
): Promise<{ before: User; after: User } | undefined> {
  const before = await trx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  if (!before || !from.includes(before.status)) return undefined
  const after = await trx
    .updateTable('users')
    .set({ status: to })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return { before: toUser(before), after: toUser(after) }
}

/** "Signed in within" filter of the directory: days, or `never` (no sign-in recorded). */
export const SIGNED_IN_WITHIN = ['7', '30', '90', 'never'] as const
export type SignedInWithin = (typeof SIGNED_IN_WITHIN)[number]

/**
 * "Joined" filter of the directory (the dashboard's signups tile links to `today`): `today` since
 * midnight UTC of `now`, or within this many days. Across the fleet a user joins when their
 * `users` row is created; scoped to one tenant, when their membership of it is.
 */
export const JOINED_WITHIN = ['today', '7', '30'] as const
export type JoinedWithin = (typeof JOINED_WITHIN)[number]

/** The instant a "joined" filter starts at: midnight UTC of `now`, or `days` × 24 h before it. */
export function joinedSince(within: JoinedWithin, now: Date): Date {
  if (within === 'today') return new Date(now.toISOString().slice(0, 10) + 'T00:00:00Z')
  return new Date(now.getTime() - Number(within) * DAY_MS)
}

export type UserFilter = {
  /** Substring of the email or the name, case-insensitive (ILIKE, trigram-indexed). */
  q?: string
  status?: UserStatus
  /** Only users with at least one membership of this role (in the scoped tenant, when scoped). */
  role?: MembershipRole
  /** `last_login_at` within this many days of `now`, or never set. */
  signedInWithin?: SignedInWithin
  /** Created (or, scoped, made a member) since `joinedSince(joined, now)`. */
  joined?: JoinedWithin
  /** Keyset: the page after the user with this id (older), in the directory's order. */
  after?: string
  /** Keyset: the page before the user with this id (newer). Ignored when `after` is given. */
  before?: string
  /** Rows per page; default 50. */
  limit?: number
  now?: Date
}

/** A tenant a directory row names: slug and role, of the user's first three memberships. */
export type UserTenantRef = { tenantId: string; slug: string; role: MembershipRole }

export type UserListItem = User & {
  /** Up to three memberships, oldest first; none when the list is scoped to one tenant. */
  tenants: UserTenantRef[]
  /** Every membership of the user (so "+N" is `membershipCount - tenants.length`); 0 when scoped. */
  membershipCount: number
}

export type UserPage = {
  items: UserListItem[]
  /** Cursors for the neighbouring pages (user ids), undefined where there is none. */
  nextAfter?: string
  prevBefore?: string
  /** Users matching the filter: exact up to USER_COUNT_CAP, above it the planner's estimate. */
  total: { count: number; exact: boolean }
}

/** Up to this many matches the directory counts them; beyond, it asks the planner (cheap). */
export const USER_COUNT_CAP = 10_000

/** `q` as an ILIKE pattern with `%`, `_` and `\` matching only themselves. */
function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
}

const DAY_MS = 24 * 3600_000

/** The filter's WHERE conditions on `users` (scope included), as one SQL fragment or none. */
function userConditions(scope: TenantScope, filter: UserFilter) {
  const q = filter.q?.trim()
  const now = filter.now ?? new Date()
  const within = filter.signedInWithin
  const role = filter.role
  const tenant = scope.tenantId && isUuid(scope.tenantId) ? scope.tenantId : undefined
  const joined = filter.joined && joinedSince(filter.joined, now)
  return [
    scope.tenantId && !tenant && sql`false`,
    q && sql`(users.email ilike ${containsPattern(q)} or users.name ilike ${containsPattern(q)})`,
    filter.status && sql`users.status = ${filter.status}`,
    within === 'never' && sql`users.last_login_at is null`,
    within &&
      within !== 'never' &&
      sql`users.last_login_at >= ${new Date(now.getTime() - Number(within) * DAY_MS)}`,
    tenant &&
      sql`exists (select 1 from memberships m where m.user_id = users.id and m.tenant_id = ${tenant}${role ? sql` and m.role = ${role}` : sql``})`,
    joined && !tenant && sql`users.created_at >= ${joined}`,
    joined &&
      tenant &&
      sql`exists (select 1 from memberships j where j.user_id = users.id and j.tenant_id = ${tenant} and j.created_at >= ${joined})`,
  ].filter((c) => !!c)
}

/** "Has a membership with this role" across tenants (the scoped form is in userConditions). */
function roleCondition(scope: TenantScope, role: MembershipRole | undefined) {
  return !scope.tenantId && role
    ? sql`exists (select 1 from memberships m where m.user_id = users.id and m.role = ${role})`
    : undefined
}

/**
 * One page of the users directory (issue 7 item 1), newest first (created_at desc, id desc), with
 * keyset paging: `after`/`before` name the last/first user of the page the operator comes from,
 * so a page costs the same at any depth (no OFFSET). At most four statements, whatever the page
 * size: the page (limit + 1 rows, to know if there is more) beside the planner's estimate of the
 * matches (EXPLAIN, no execution), then the first three memberships of every user on the page
 * (ONE query: tenant slug and role, with each user's total), and a count capped at
 * USER_COUNT_CAP + 1 rows only when neither of the first two settles the total. With
 * `scope.tenantId`, only users who are members of that tenant.
 */
export async function listUsers(
  db: Db,
  scope: TenantScope,
  filter: UserFilter = {},
): Promise<UserPage> {
  const limit = filter.limit ?? 50
  const conditions = userConditions(scope, filter)
  const role = roleCondition(scope, filter.role)
  const joined = (list: RawBuilder<unknown>[]) =>
    list.length > 0 ? sql`${sql.join(list, sql` and `)}` : sql`true`
  const where = joined(role ? [...conditions, role] : conditions)
  const after = filter.after && isUuid(filter.after) ? filter.after : undefined
  const before = !after && filter.before && isUuid(filter.before) ? filter.before : undefined
  const cursor = after ?? before
  // The cursor user's position, read by the index on (created_at, id) as a row comparison.
  const position = cursor
    ? sql`(users.created_at, users.id) ${sql.raw(after ? '<' : '>')} ((select u.created_at from users u where u.id = ${cursor}), ${cursor}::uuid)`
    : sql`true`
  const direction = sql.raw(before ? 'asc' : 'desc')
  const [{ rows }, estimate] = await Promise.all([
    sql<UserRow>`select users.* from users where ${where} and ${position}
      order by users.created_at ${direction}, users.id ${direction} limit ${limit + 1}`.execute(db),
    estimateUsers(db, where),
  ])
  const more = rows.length > limit
  const page = rows.slice(0, limit)
  if (before) page.reverse()
  const [memberships, total] = await Promise.all([
    // Scoped to one customer, the page lists its members only: their other tenants are not
    // this page's business (and the view has no column for them).
    scope.tenantId
      ? new Map<string, never>()
      : firstMemberships(
          db,
          page.map((r) => r.id),
        ),
    // A first page that is not full holds every match: its length is the exact total.
    !cursor && !more
      ? { count: page.length, exact: true }
      : countUsers(db, where, estimate, role && { role: filter.role!, rest: joined(conditions) }),
  ])
  const items = page.map((row) => {
    const m = memberships.get(row.id)
    return { ...toUser(row), tenants: m?.tenants ?? [], membershipCount: m?.count ?? 0 }
  })
  const last = items.at(-1)?.id
  const first = items[0]?.id
  return {
    items,
    nextAfter: (before || more) && last ? last : undefined,
    prevBefore: (after || (before && more)) && first ? first : undefined,
    total,
  }
}

/**
 * Above this many estimated matches the directory does not count at all: even a capped count
 * reads up to USER_COUNT_CAP matches through a substring filter (120–160 ms on 200k users), while
 * the planner's trigram estimates came out 1.7–2× the truth there (27,169 for 15,680): at twice
 * the cap, the real number is still around the cap or above, and the total says "about".
 */
const ESTIMATE_TRUSTED_ABOVE = 2 * USER_COUNT_CAP

/** The planner's row estimate for `where` (EXPLAIN without ANALYZE: planning only, ≈ 1 ms). */
async function estimateUsers(db: Db, where: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{
    'QUERY PLAN': unknown
  }>`explain (format json) select 1 from users where ${where}`.execute(db)
  return Math.round(Number(planRows(rows[0]?.['QUERY PLAN'])))
}

/** Matches of `where`: exact up to the cap (a bounded scan), the planner's estimate above it. */
async function countUsers(
  db: Db,
  where: RawBuilder<unknown>,
  estimate: number,
  byRole?: { role: MembershipRole; rest: RawBuilder<unknown> },
) {
  if (estimate > ESTIMATE_TRUSTED_ABOVE) return { count: estimate, exact: false }
  // With a role filter the count walks that role's members (index memberships_role_user_idx) and
  // looks each user up by key: left to itself the planner hashes them against a scan of every
  // user (120 ms at 200k users for 2,000 owners). `offset 0` keeps the lookup a lookup: without it
  // the planner flattens the lateral join back into that hash join.
  const matches = byRole
    ? sql`select 1 from (select distinct user_id from memberships where role = ${byRole.role}) m
        cross join lateral (
          select 1 from users where users.id = m.user_id and ${byRole.rest} offset 0) u`
    : sql`select 1 from users where ${where}`
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (
      ${matches} limit ${USER_COUNT_CAP + 1}) capped`.execute(db)
  const capped = Number(rows[0]?.n ?? 0)
  if (capped <= USER_COUNT_CAP) return { count: capped, exact: true }
  return { count: Math.max(estimate, capped), exact: false }
}

/** The top node's row estimate of an EXPLAIN (FORMAT JSON) result (text or parsed, by driver). */
function planRows(plan: unknown): number {
  const parsed = typeof plan === 'string' ? JSON.parse(plan) : plan
  return (parsed as [{ Plan: { 'Plan Rows': number } }])?.[0]?.Plan?.['Plan Rows'] ?? 0
}

/**
 * The first three memberships (oldest first) of each user in tenants not deleted (a deleted
 * tenant keeps them only for a restore, issue 11 item 6), with the tenant slug, and each user's
 * membership count: ONE statement for a whole page of users.
 */
async function firstMemberships(
  db: Db,
  userIds: string[],
): Promise<Map<string, { tenants: UserTenantRef[]; count: number }>> {
  const found = new Map<string, { tenants: UserTenantRef[]; count: number }>()
  if (userIds.length === 0) return found
  const { rows } = await sql<{
    user_id: string
    tenant_id: string
    slug: string
    role: MembershipRole
    n: number
  }>`select user_id, tenant_id, slug, role, n from (
      select m.user_id, m.tenant_id, t.slug, m.role,
        row_number() over (partition by m.user_id order by m.created_at, t.slug) as rank,
        count(*) over (partition by m.user_id)::int as n
      from memberships m join tenants t on t.id = m.tenant_id
      where m.user_id in (${sql.join(userIds)}) and t.status <> 'deleted') ranked
    where rank <= 3 order by user_id, rank`.execute(db)
  for (const r of rows) {
    const entry = found.get(r.user_id) ?? { tenants: [], count: Number(r.n) }
    entry.tenants.push({ tenantId: r.tenant_id, slug: r.slug, role: r.role })
    found.set(r.user_id, entry)
  }
  return found
}

export type SignIn = {
  id: string
  at: Date
  tenantId: string | null
  tenantSlug: string | null
  ip: string | null
  userAgent: string | null
  outcome: UserSignInOutcome
  detail: string | null
}

/**
 * A user's sign-in history, newest first, `limit` (default 50) per page, keyset on (at, id):
 * `beforeId` is the last entry of the previous page. One statement (index user_sign_ins_user_idx).
 * @returns the entries and, when there are older ones, the cursor for them
 */
export async function listUserSignIns(
  db: Db,
  userId: string,
  options: { beforeId?: string; limit?: number } = {},
): Promise<{ items: SignIn[]; olderThan?: string }> {
  const limit = options.limit ?? 50
  const before = options.beforeId && /^\d{1,18}$/.test(options.beforeId) ? options.beforeId : ''
  const position = before
    ? sql`and (s.at, s.id) < ((select x.at from user_sign_ins x where x.id = ${before} and x.user_id = ${userId}), ${before}::bigint)`
    : sql``
  const { rows } = await sql<{
    id: string
    at: Date
    tenant_id: string | null
    slug: string | null
    ip: string | null
    user_agent: string | null
    outcome: UserSignInOutcome
    detail: string | null
  }>`select s.id::text as id, s.at, s.tenant_id, t.slug, s.ip, s.user_agent, s.outcome, s.detail
    from user_sign_ins s left join tenants t on t.id = s.tenant_id
    where s.user_id = ${userId} ${position}
    order by s.at desc, s.id desc limit ${limit + 1}`.execute(db)
  const items = rows.slice(0, limit).map((r) => ({
    id: String(r.id),
    at: new Date(r.at),
    tenantId: r.tenant_id,
    tenantSlug: r.slug,
    ip: r.ip,
    userAgent: r.user_agent,
    outcome: r.outcome,
    detail: r.detail,
  }))
  return { items, olderThan: rows.length > limit ? items.at(-1)?.id : undefined }
}

/**
 * Inserts users in bulk, thousands of rows per call (the demo fleet):
 * one statement of six array parameters through unnest, so no bind-parameter limit. Users whose
 * email (case-insensitive) is taken are left alone.
 * @returns the users inserted now (the others are not returned: look them up by email)
 */
export async function insertUsersInBulk(db: Db, users: NewUser[]): Promise<UserRef[]> {
  if (users.length === 0) return []
  const { rows } = await sql<UserRef>`
    insert into users (id, email, name, status, created_at, last_login_at)
    select * from unnest(
      ${users.map((u) => u.id)}::uuid[],
      ${users.map((u) => u.email)}::text[],
      ${users.map((u) => u.name)}::text[],
      ${users.map((u) => u.status)}::text[],
      ${users.map((u) => u.createdAt)}::timestamptz[],
      ${users.map((u) => u.lastLoginAt ?? null)}::timestamptz[])
    on conflict (lower(email)) do nothing
    returning id, email, name`.execute(db)
  return rows
}

/**
 * Moves each user's `last_login_at` to `greatest(last_login_at, at)`, in one statement: the
 * bulk form of what recordUserSignIn does for one success.
 */
export async function advanceLastLogins(
  db: Db,
  logins: { userId: string; at: Date }[],
): Promise<void> {
  if (logins.length === 0) return
  await sql`
    update users u set last_login_at = greatest(u.last_login_at, v.at)
    from unnest(${logins.map((l) => l.userId)}::uuid[], ${logins.map((l) => l.at)}::timestamptz[])
      as v(id, at)
    where u.id = v.id`.execute(db)
}

/**
 * Settings for the current transaction of a bulk load into users: new rows wait in the GIN
 * indexes' pending lists (the directory's trigram indexes, migration 2026113010) up to 256 MB and
 * are merged in bulk with 128 MB of work memory, instead of a merge every 4 MB. Measured on
 * 200,000 users: 76 s → 48 s. Must run inside the transaction (SET LOCAL); finish the load with
 * vacuumPeopleTables.
 */
export async function settingsForBulkLoad(trx: Db): Promise<void> {
  if (!trx.isTransaction) throw new Error('settingsForBulkLoad must run inside a transaction')
  await sql`set local gin_pending_list_limit = '256MB'`.execute(trx)
  await sql`set local work_mem = '128MB'`.execute(trx)
}

/**
 * VACUUM ANALYZE of users, memberships and user_sign_ins after a bulk load: merges what waits in
 * the GIN pending lists (a search scans them row by row), marks the pages all-visible (index-only
 * scans) and refreshes the planner's statistics (autovacuum may be late, or off). Not inside a
 * transaction.
 */
export async function vacuumPeopleTables(db: Db): Promise<void> {
  await sql`vacuum analyze users, memberships, user_sign_ins`.execute(db)
}
