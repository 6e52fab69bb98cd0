import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildKnownFleet, KNOWN, type KnownFleet } from '../dashboard/test-fleet.js'
import { addMembership, createSuperAdmin, createUser } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { addDays, utcDay } from './kpi-daily.js'
import { readKpis } from './kpis.js'
import { ALL_TENANTS } from './tenant-scope.js'
import { USER_COUNT_CAP } from './users.js'

// Issue 10 item 7: the dashboard's KPI queries against a known fleet, exact numbers.

const t = useTestApp()
let fleet: KnownFleet

beforeAll(async () => {
  const other = await createSuperAdmin(t.db, t.config, { role: 'support' })
  fleet = await buildKnownFleet(t.db, [(await t.owner()).admin.id, other.admin.id])
})

describe('readKpis', () => {
  it('counts the whole fleet: deleted tenants’ storage left out, lapsed impersonations not active', async () => {
    const kpis = await readKpis(t.db, ALL_TENANTS, fleet.now)
    const {
      host,
      storageTakenAt,
      tenantStatus,
      usersExact,
      activeUsersExact,
      signupsByDay,
      ...counts
    } = kpis
    expect(counts).toEqual(KNOWN.fleet)
    expect(usersExact).toBe(true)
    expect(activeUsersExact).toBe(true)
    expect(signupsByDay).toEqual([{ day: utcDay(fleet.now), count: KNOWN.fleet.signupsToday }])
    expect(tenantStatus).toBeUndefined()
    expect(storageTakenAt).toBeInstanceOf(Date)
    expect(host).toMatchObject({
      ...KNOWN.host,
      diskUsedBytes: 7 * 1024 ** 3,
      diskSizeBytes: 10 * 1024 ** 3,
    })
  })

  it('counts one tenant with the picker on it: members, its requests, its impersonations', async () => {
    const acme = await readKpis(t.db, { tenantId: fleet.acme.id }, fleet.now)
    expect(acme).toMatchObject({ ...KNOWN.acme, tenantStatus: 'active' })
    const globex = await readKpis(t.db, { tenantId: fleet.globex.id }, fleet.now)
    expect(globex).toMatchObject({ ...KNOWN.globex, tenantStatus: 'active' })
    const initech = await readKpis(t.db, { tenantId: fleet.initech.id }, fleet.now)
    expect(initech).toMatchObject({
      tenantStatus: 'suspended',
      activeTenants: 0,
      suspendedTenants: 1,
    })
  })

  it('keeps the host metrics cluster-wide when one tenant is picked', async () => {
    const scoped = await readKpis(t.db, { tenantId: fleet.initech.id }, fleet.now)
    expect(scoped.host).toMatchObject(KNOWN.host)
  })

  it('counts a user as active for 30 days after their last sign-in, not a moment longer', async () => {
    const later = new Date(fleet.now.getTime() + 24 * 3600_000 + 60_000)
    // A day later: u4 (last sign-in 29 days before) has dropped out; u1 is still in.
    const kpis = await readKpis(t.db, ALL_TENANTS, later)
    expect(kpis.activeUsers).toBe(KNOWN.fleet.activeUsers - 1)
    // And nobody created the day before counts as today's signup any more.
    expect(kpis.signupsToday).toBe(0)
  })

  it('counts fleet users up to 10,000 and takes the planner’s estimate beyond, unless asked to count', async () => {
    await sql`insert into users (id, email, name, status, created_at)
      select gen_random_uuid(), 'many' || i || '@example.com', 'Many ' || i, 'active', now() - interval '2 days'
      from generate_series(1, ${USER_COUNT_CAP}) i`.execute(t.db)
    await sql`analyze users`.execute(t.db)
    const total = KNOWN.fleet.users + USER_COUNT_CAP
    const estimated = await readKpis(t.db, ALL_TENANTS, fleet.now)
    expect(estimated.usersExact).toBe(false)
    // ANALYZE of a table this small reads every row: the estimate is the count.
    expect(estimated.users).toBe(total)
    const counted = await readKpis(t.db, ALL_TENANTS, fleet.now, { exactUsers: true })
    expect(counted).toMatchObject({ users: total, usersExact: true })
    // A tenant's members are always counted.
    expect((await readKpis(t.db, { tenantId: fleet.acme.id }, fleet.now)).usersExact).toBe(true)
  })

  it('counts signups and new members per UTC day over the days asked for, the last second of a day in it', async () => {
    const today = utcDay(fleet.now)
    const yesterday = addDays(today, -1)
    const counts = async (scope: { tenantId?: string }, signupDays: number) =>
      (await readKpis(t.db, scope, fleet.now, { signupDays })).signupsByDay
    // Other tests of this file add users days ago: compare with the counts before.
    const fleetBefore = await counts(ALL_TENANTS, 4)
    const globexBefore = await counts({ tenantId: fleet.globex.id }, 2)
    const lastSecond = new Date(`${today}T00:00:00Z`).getTime() - 1000
    const late = await createUser(t.db, { createdAt: new Date(lastSecond) })
    await addMembership(t.db, late, fleet.globex, 'member', new Date(lastSecond))
    await createUser(t.db, { createdAt: new Date(`${addDays(today, -3)}T12:00:00Z`) })
    const plus = (days: { day: string; count: number }[], added: number[]) =>
      days.map((d, i) => ({ day: d.day, count: d.count + added[i] }))
    expect(fleetBefore.map((d) => d.day)).toEqual([-3, -2, -1, 0].map((n) => addDays(today, n)))
    expect(fleetBefore[3].count).toBe(KNOWN.fleet.signupsToday)
    expect(await counts(ALL_TENANTS, 4)).toEqual(plus(fleetBefore, [1, 0, 1, 0]))
    expect(globexBefore).toEqual([
      { day: yesterday, count: 0 },
      { day: today, count: KNOWN.globex.signupsToday },
    ])
    expect(await counts({ tenantId: fleet.globex.id }, 2)).toEqual(plus(globexBefore, [1, 0]))
    await expect(readKpis(t.db, ALL_TENANTS, fleet.now, { signupDays: 0 })).rejects.toThrow(
      RangeError,
    )
  })

  it('counts fleet active users up to 10,000 on the page, exactly when asked to (the snapshot)', async () => {
    const before = (await readKpis(t.db, ALL_TENANTS, fleet.now, { exactUsers: true })).activeUsers
    await sql`insert into users (id, email, name, status, created_at, last_login_at)
      select gen_random_uuid(), 'active' || i || '@example.com', 'Active ' || i, 'active',
        now() - interval '40 days', ${fleet.now}::timestamptz - interval '1 day'
      from generate_series(1, ${USER_COUNT_CAP}) i`.execute(t.db)
    const capped = await readKpis(t.db, ALL_TENANTS, fleet.now)
    expect(capped).toMatchObject({ activeUsers: USER_COUNT_CAP + 1, activeUsersExact: false })
    const counted = await readKpis(t.db, ALL_TENANTS, fleet.now, { exactUsers: true })
    expect(counted).toMatchObject({
      activeUsers: before + USER_COUNT_CAP,
      activeUsersExact: true,
    })
  })
})
