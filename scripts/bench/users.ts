// `npm run bench -- --users N`: the people pages at fleet scale (issue 7, "Numbers for the closing
// note"). PostgreSQL, --tenants tenants (bulkFleet) and N users with 1–3 memberships each and
// their sign-in history, made by the seed's own generator (src/demo/demo-users.ts). Prints p50/p95
// and queries per request of each page; a route that answers 404 is named and skipped, so the
// bench runs before and after the people routes land.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { sql } from 'kysely'
import { createApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { openDatabase, type Db } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import {
  pickActivePoolIndex,
  populateUsers,
  type PopulationTenant,
} from '../../src/demo/demo-users.js'
import { insertUserSignIns } from '../../src/db/user-sign-ins.js'
import { advanceLastLogins } from '../../src/db/users.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { get, latency } from './load.js'

export type UsersBenchOptions = {
  tenants: number
  users: number
  config: Config
  /** Statements sent so far by every pg client of this process (bench.ts counts them). */
  queries: () => number
}

/** A common first name: 40% of the pool carries one of 30, so it matches > 10,000 at 1M users. */
const BROAD = 'john'
const JOIN_REQUESTS = 20_000
const HEAVY_USER_SIGN_INS = 1000

export async function benchUsers(options: UsersBenchOptions): Promise<void> {
  await withScratchDatabase('fleetdeck_bench_users', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    const server = await listen(createApp({ config: options.config, database: handle }))
    try {
      await migratePlatform(handle.db)
      const made = await makePeople(handle.db, options)
      const owner = await signedInOwner(handle.db)
      const probes = await pickProbes(handle.db)
      console.log(
        `\nPeople pages: PostgreSQL, ${options.tenants} tenants, ${made.users} users, ${made.memberships} memberships, ${made.signIns} sign-ins, ${made.joinRequests} (made in ${made.seconds.toFixed(0)} s)`,
      )
      const measure = pageMeasurer(server.base, { cookie: owner.cookie }, options.queries)
      await measure('/users first page', '/users')
      await measure(
        `selective search "${probes.selective}" (${probes.selectiveMatches} matches)`,
        `/users?q=${encodeURIComponent(probes.selective)}`,
      )
      await measure(`broad search "${BROAD}" (${probes.broadMatches} matches)`, `/users?q=${BROAD}`)
      await measure(`status=disabled (${probes.disabled} users)`, '/users?status=disabled')
      await measure(`user page (${probes.userSignIns} sign-ins)`, `/users/${probes.userId}`)
      await measure('/join-requests', '/join-requests')
    } finally {
      await server.close()
      await handle.close()
    }
  })
}

async function makePeople(db: Db, options: UsersBenchOptions) {
  const t0 = performance.now()
  // One placeholder user is all bulkFleet needs; the bench's people come from the seed's generator.
  await bulkFleet(db, options.tenants, 1)
  // Customers of months or years, as the seed makes them, so the history spans its 90 days.
  await sql`update tenants set created_at = now() - (100 + abs(hashtext(id::text)) % 900) * interval '1 day'`.execute(
    db,
  )
  const tenants = (await db.selectFrom('tenants').select(['id', 'created_at']).execute()).map(
    (t) => ({ id: t.id, createdAt: t.created_at }),
  )
  const owners = new Map<number, PopulationTenant[]>()
  for (const tenant of tenants) {
    const index = pickActivePoolIndex(options.users)
    owners.set(index, [...(owners.get(index) ?? []), tenant])
  }
  const people = await populateUsers(db, { users: options.users, tenants, owners })
  const joinRequests = await fillJoinRequests(db)
  return {
    users: options.users,
    ...people,
    joinRequests,
    seconds: (performance.now() - t0) / 1000,
  }
}

/**
 * JOIN_REQUESTS join requests when the table exists (migration 2026113020): existing users asking
 * for a tenant they are not in, one in five from a new email; 60% pending, 25% approved, 15%
 * denied, over the last 30 days. The table belongs to the join-requests work: a shape this insert
 * no longer fits is reported, not fatal.
 */
async function fillJoinRequests(db: Db): Promise<string> {
  const { rows } = await sql<{ t: string | null }>`
    select to_regclass('public.join_requests')::text as t`.execute(db)
  if (!rows[0].t) return 'no join_requests table'
  try {
    const result = await sql`
      with t as (select id, row_number() over (order by id) as n, count(*) over () as c from tenants),
      r as (
        select u.id as user_id, u.email, u.name, t.id as tenant_id, random() as roll,
          now() - random() * interval '30 days' as created_at, i
        from (select id, email, name, row_number() over () as i from users
          order by random() limit ${JOIN_REQUESTS}) u
        join t on t.n = 1 + abs(hashtext(u.id::text)) % t.c
        where not exists (select 1 from memberships m where m.user_id = u.id and m.tenant_id = t.id))
      insert into join_requests (id, user_id, email, name, tenant_id, message, status, role,
        decided_at, reason, created_at)
      select gen_random_uuid(),
        case when i % 5 = 0 then null else user_id end,
        case when i % 5 = 0 then 'newcomer' || i || '@example.org' else email end,
        name, tenant_id, 'Please add me to the team',
        case when roll < 0.6 then 'pending' when roll < 0.85 then 'approved' else 'denied' end,
        case when roll >= 0.6 and roll < 0.85 then 'member' end,
        case when roll >= 0.6 then created_at + interval '1 hour' end,
        case when roll >= 0.85 then 'Not an employee' end,
        created_at
      from r`.execute(db)
    await sql`analyze join_requests`.execute(db)
    return `${Number(result.numAffectedRows ?? 0)} join requests`
  } catch (error) {
    return `no join requests (the insert no longer fits the table: ${(error as Error).message})`
  }
}

/** The search terms and the user the pages are measured with, and what they match. */
async function pickProbes(db: Db) {
  // The user with the longest history, grown by HEAVY_USER_SIGN_INS more (a power user or a
  // script signing in every two hours): the user page's worst case, its paging included.
  const { rows } = await sql<{ id: string; email: string; n: number; tenant_id: string }>`
    select u.id, u.email, s.n, m.tenant_id from (select user_id, count(*)::int as n
      from user_sign_ins group by user_id order by n desc limit 1) s
    join users u on u.id = s.user_id
    join lateral (select tenant_id from memberships where user_id = u.id limit 1) m on true`.execute(
    db,
  )
  const user = rows[0]
  await recordHeavyHistory(db, user.id, user.tenant_id)
  // The local part of one email ("nancy.reichert45349"): unique in the pool but for its prefixes.
  const selective = user.email.split('@')[0]
  const count = async (q: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from users
        where email ilike ${`%${q}%`} or name ilike ${`%${q}%`}`.execute(db)
    ).rows[0].n
  const disabled = await sql<{ n: number }>`
    select count(*)::int as n from users where status = 'disabled'`.execute(db)
  return {
    userId: user.id,
    userSignIns: user.n + HEAVY_USER_SIGN_INS,
    selective,
    selectiveMatches: await count(selective),
    broadMatches: await count(BROAD),
    disabled: disabled.rows[0].n,
  }
}

async function recordHeavyHistory(db: Db, userId: string, tenantId: string) {
  const now = Date.now()
  const signIns = Array.from({ length: HEAVY_USER_SIGN_INS }, (_, i) => ({
    userId,
    tenantId,
    at: new Date(now - (i + 1) * 2 * 3600_000),
    ip: '198.51.100.23',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
    outcome: i % 10 === 3 ? ('failed' as const) : ('succeeded' as const),
    detail: i % 10 === 3 ? 'wrong password' : null,
  }))
  await insertUserSignIns(db, signIns)
  await advanceLastLogins(db, [{ userId, at: signIns[0].at }])
}

/** Prints p50/p95 and queries per request of one page, or why it was skipped. */
function pageMeasurer(base: string, headers: Record<string, string>, queries: () => number) {
  return async (label: string, path: string) => {
    const first = await get(base + path, headers)
    if (first.status !== 200) {
      const why =
        first.status === 404 ? 'answers 404 (route not merged yet?)' : `answers ${first.status}`
      console.log(`  ${label.padEnd(48)} ${path} ${why}: skipped`)
      return
    }
    const before = queries()
    await get(base + path, headers)
    const perRequest = queries() - before
    const { p50, p95 } = await latency(base + path, headers, 50, 5)
    console.log(
      `  ${label.padEnd(48)} p50 ${p50.toFixed(1)} ms   p95 ${p95.toFixed(1)} ms   ${perRequest} queries`,
    )
  }
}

async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}
