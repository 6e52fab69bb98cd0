import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildKnownFleet, KNOWN, type KnownFleet } from '../dashboard/test-fleet.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
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
    const { host, storageTakenAt, tenantStatus, usersExact, ...counts } = kpis
    expect(counts).toEqual(KNOWN.fleet)
    expect(usersExact).toBe(true)
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
})
