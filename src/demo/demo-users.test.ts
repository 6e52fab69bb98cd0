import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTenantRecord } from '../tenancy/onboarding.js'
import { newTenantFields } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  poolPerson,
  populateUsers,
  type PopulationTenant,
  type UserPopulationSummary,
} from './demo-users.js'

// The bulk user generator behind the seed and the bench, at a size where its shares show:
// 2,000 people over 5 tenants, written in batches of 300.

const t = useTestDatabase()
const USERS = 2000
const DAY = 86_400_000
let tenants: PopulationTenant[]
let first: UserPopulationSummary
const progress: number[] = []

beforeAll(async () => {
  tenants = []
  // Four old customers and one from three days ago, whose members' history starts then.
  for (const ageDays of [400, 200, 120, 95, 3]) {
    const createdAt = new Date(Date.now() - ageDays * DAY)
    const created = await createTenantRecord(t.db, { actor: null }, newTenantFields(), createdAt)
    if (!created.ok) throw new Error('slug taken')
    tenants.push({ id: created.tenant.id, createdAt })
  }
  first = await populateUsers(t.db, {
    users: USERS,
    tenants,
    owners: new Map([[7, [tenants[0]]]]),
    batchSize: 300,
    onProgress: (done) => progress.push(done),
  })
})

async function shares() {
  const { rows } = await sql<Record<string, number>>`
    select count(*)::int as total,
      count(*) filter (where outcome = 'succeeded')::int as succeeded,
      count(*) filter (where outcome = 'failed' and detail = 'wrong password')::int as failed,
      count(*) filter (where outcome = 'refused')::int as refused,
      count(*) filter (where at < now() - interval '90 days')::int as older
    from user_sign_ins`.execute(t.db)
  return rows[0]
}

describe('populateUsers', () => {
  it('writes every person once, in batches, with unique emails and the common names shared', async () => {
    const { rows } = await sql<{ n: number; emails: number; johns: number }>`
      select count(*)::int as n, count(distinct lower(email))::int as emails,
        count(*) filter (where name ilike 'john %')::int as johns
      from users`.execute(t.db)

    expect(first.usersCreated).toBe(USERS)
    expect(rows[0]).toMatchObject({ n: USERS, emails: USERS })
    // 40% carry one of 30 common first names: ~27 Johns in 2,000, against ~1 for a rare name.
    expect(rows[0].johns).toBeGreaterThan(10)
    expect(progress).toEqual([300, 600, 900, 1200, 1500, 1800, 2000])
  })

  it('puts each person in 1–3 tenants, keeps the owner it was given, and every status occurs', async () => {
    const { rows } = await sql<{ min: number; max: number }>`
      select min(n)::int as min, max(n)::int as max from (
        select count(*) as n from memberships group by user_id) c`.execute(t.db)
    const owner = await t.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('role')
      .where('users.email', '=', poolPerson(7).email)
      .where('tenant_id', '=', tenants[0].id)
      .executeTakeFirst()
    const statuses = await t.db.selectFrom('users').select('status').distinct().execute()

    expect(rows[0]).toEqual({ min: 1, max: 3 })
    expect(owner).toEqual({ role: 'owner' })
    expect(statuses.map((s) => s.status).sort()).toEqual(['active', 'disabled', 'invited'])
  })

  it('makes a history of mostly successes, some wrong passwords and a few refusals, within 90 days', async () => {
    const s = await shares()

    expect(s.total).toBe(first.signIns)
    expect(s.succeeded / s.total).toBeGreaterThan(0.75)
    expect(s.failed / s.total).toBeGreaterThan(0.04)
    expect(s.refused).toBeGreaterThan(0)
    expect(s.refused / s.total).toBeLessThan(0.1)
    expect(s.older).toBe(0)
  })

  it('dates no membership before its user or tenant, and no sign-in before its membership', async () => {
    const { rows } = await sql<{ early: number; before: number; recent: number }>`
      select
        (select count(*)::int from memberships m join users u on u.id = m.user_id
          join tenants t on t.id = m.tenant_id
          where m.created_at < u.created_at or m.created_at < t.created_at) as early,
        (select count(*)::int from user_sign_ins s join memberships m
          on m.user_id = s.user_id and m.tenant_id = s.tenant_id where s.at < m.created_at) as before,
        (select count(*)::int from user_sign_ins where tenant_id = ${tenants[4].id}) as recent`.execute(
      t.db,
    )

    expect(rows[0]).toMatchObject({ early: 0, before: 0 })
    expect(rows[0].recent).toBeGreaterThan(0)
  })

  it('gives invited users no history and refuses disabled users after their disablement', async () => {
    const { rows } = await sql<{ invited: number; disabled: number }>`
      select
        count(*) filter (where u.status = 'invited')::int as invited,
        count(*) filter (where u.status = 'disabled' and s.detail = 'user disabled')::int as disabled
      from user_sign_ins s join users u on u.id = s.user_id`.execute(t.db)

    expect(rows[0].invited).toBe(0)
    expect(rows[0].disabled).toBeGreaterThan(0)
  })

  it('sets last_login_at to the newest success, and keeps it so when run again', async () => {
    const second = await populateUsers(t.db, { users: USERS, tenants })
    const { rows } = await sql<{ id: string }>`
      select u.id from users u
      left join lateral (select max(at) as at from user_sign_ins s
        where s.user_id = u.id and s.outcome = 'succeeded') s on true
      where u.last_login_at is distinct from s.at`.execute(t.db)

    expect(second.usersCreated).toBe(0)
    expect(second.signIns).toBeGreaterThan(0)
    expect(rows).toEqual([])
  })
})
