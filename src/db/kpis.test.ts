import { beforeAll, describe, expect, it } from 'vitest'
import { buildKnownFleet, KNOWN, type KnownFleet } from '../dashboard/test-fleet.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { readKpis } from './kpis.js'
import { ALL_TENANTS } from './tenant-scope.js'

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
    const { host, storageTakenAt, tenantStatus, ...counts } = kpis
    expect(counts).toEqual(KNOWN.fleet)
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
})
