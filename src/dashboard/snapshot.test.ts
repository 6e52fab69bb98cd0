import { beforeAll, describe, expect, it } from 'vitest'
import { addDays, readKpiHistory, utcDay } from '../db/kpi-daily.js'
import { createSuperAdmin, createUser } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { dashboardTasks } from './periodic.js'
import type { Db } from '../db/database.js'
import {
  KPI_SNAPSHOT_INTERVAL_MS,
  KPI_TENANT_SNAPSHOT_INTERVAL_MS,
  takeKpiSnapshot,
} from './snapshot.js'
import { buildKnownFleet, KNOWN, type KnownFleet } from './test-fleet.js'

// Issue 10 item 2: today's kpi_daily rows, rewritten by every run, so each point-in-time counter
// keeps the day's last observation; one row per tenant that is not deleted; 400 days kept. No
// day-bounded counter (signups) is stored: the page counts those per day from created_at.

const t = useTestApp()
let fleet: KnownFleet

beforeAll(async () => {
  const other = await createSuperAdmin(t.db, t.config, { role: 'support' })
  fleet = await buildKnownFleet(t.db, [(await t.owner()).admin.id, other.admin.id])
})

async function rowsOf(day: string) {
  return t.db
    .selectFrom('kpi_daily')
    .select(['tenant_id', 'kpis', 'taken_at'])
    .where('day', '=', day)
    .execute()
}

describe('takeKpiSnapshot', () => {
  it('writes the fleet’s row and one per tenant that is not deleted, with the dashboard’s numbers', async () => {
    const result = await takeKpiSnapshot(t.db, fleet.now)
    const day = utcDay(fleet.now)
    expect(result).toMatchObject({ day, tenantRows: 3 })
    const rows = await rowsOf(day)
    expect(rows.map((r) => r.tenant_id).sort()).toEqual(
      [null, fleet.acme.id, fleet.globex.id, fleet.initech.id].sort(),
    )
    const history = await readKpiHistory(t.db, { tenantId: fleet.acme.id }, day)
    // Point-in-time counters only: signups are counted per day from created_at by the page.
    const { signupsToday: _fleetSignups, ...fleetKpis } = KNOWN.fleet
    const { signupsToday: _acmeSignups, ...acmeKpis } = KNOWN.acme
    // The day's average host CPU: two 10-second samples, 10 and 42.5.
    expect(history.fleet).toEqual([
      {
        day,
        kpis: {
          ...fleetKpis,
          hostCpuPercent: 26.25,
          hostMemoryPercent: KNOWN.host.memoryPercent,
          hostDiskPercent: KNOWN.host.diskPercent,
        },
        takenAt: fleet.now,
      },
    ])
    expect(history.tenant).toEqual([{ day, kpis: acmeKpis, takenAt: fleet.now }])
  })

  it('run twice the same day keeps one row each, holding the second run’s values', async () => {
    const day = utcDay(fleet.now)
    await takeKpiSnapshot(t.db, fleet.now)
    await createUser(t.db, { createdAt: fleet.now })
    const later = new Date(fleet.now.getTime() + 1000)
    await takeKpiSnapshot(t.db, later)
    const rows = await rowsOf(day)
    expect(rows).toHaveLength(4)
    const fleetRow = rows.find((r) => r.tenant_id === null)!
    expect(fleetRow.kpis).toMatchObject({ users: KNOWN.fleet.users + 1 })
    expect(new Date(fleetRow.taken_at).getTime()).toBe(later.getTime())
  })

  it('weights a 5-minute fold 30 times a 10-second sample in the day’s host average', async () => {
    const day = addDays(utcDay(fleet.now), -3)
    const at = new Date(`${day}T12:00:00Z`)
    await t.db
      .insertInto('health_samples')
      .values([
        {
          taken_at: at,
          resolution_seconds: 10,
          instance: 'h:1',
          metrics: '{"host.cpu_percent":40}',
        },
        {
          taken_at: at,
          resolution_seconds: 300,
          instance: 'h:1',
          metrics: '{"host.cpu_percent":50}',
        },
        {
          taken_at: at,
          resolution_seconds: 10,
          instance: 'h:1',
          metrics: '{"host.cpu_percent":null}',
        },
      ])
      .execute()
    await takeKpiSnapshot(t.db, at)
    const { fleet: days } = await readKpiHistory(t.db, {}, day)
    const kpis = days.find((d) => d.day === day)!.kpis
    expect(kpis.hostCpuPercent).toBeCloseTo((40 * 10 + 50 * 300) / 310, 9)
    // Never read that day: left out of the row, not stored as 0.
    expect(kpis.hostMemoryPercent).toBeUndefined()
  })

  it('removes rows older than 400 days and keeps the rest', async () => {
    const today = utcDay(fleet.now)
    const insert = (day: string) =>
      t.db
        .insertInto('kpi_daily')
        .values({ day, tenant_id: fleet.acme.id, kpis: '{"users":1}', taken_at: new Date(day) })
        .execute()
    await insert(addDays(today, -401))
    await insert(addDays(today, -400))
    const result = await takeKpiSnapshot(t.db, fleet.now)
    expect(result.pruned).toBe(1)
    const { tenant } = await readKpiHistory(t.db, { tenantId: fleet.acme.id }, addDays(today, -500))
    expect(tenant[0].day).toBe(addDays(today, -400))
  })

  it('gives a deleted tenant no new row, and its rows go with the tenant', async () => {
    const day = utcDay(fleet.now)
    await takeKpiSnapshot(t.db, fleet.now)
    expect((await rowsOf(day)).some((r) => r.tenant_id === fleet.umbrella.id)).toBe(false)
    await t.db
      .insertInto('kpi_daily')
      .values({
        day: addDays(day, -1),
        tenant_id: fleet.umbrella.id,
        kpis: '{}',
        taken_at: fleet.now,
      })
      .execute()
    await t.db.deleteFrom('storage_snapshots').where('tenant_id', '=', fleet.umbrella.id).execute()
    await t.db.deleteFrom('memberships').where('tenant_id', '=', fleet.umbrella.id).execute()
    await t.db
      .deleteFrom('tenant_provisioning_steps')
      .where('tenant_id', '=', fleet.umbrella.id)
      .execute()
    await t.db.deleteFrom('tenants').where('id', '=', fleet.umbrella.id).execute()
    const left = await t.db
      .selectFrom('kpi_daily')
      .select('day')
      .where('tenant_id', '=', fleet.umbrella.id)
      .execute()
    expect(left).toEqual([])
  })

  it('runs as two scheduler tasks, fleet every 15 minutes and tenants hourly, each on a connection of its own', async () => {
    const dedicated: string[] = []
    const database = {
      ...t.database,
      // The pool's handle must not be used: a task that reached for it would throw.
      db: undefined as unknown as Db,
      withDedicatedConnection: <T>(work: (db: Db) => Promise<T>) => {
        dedicated.push('connection')
        return work(t.db)
      },
    }
    const [fleetTask, tenantTask, ...rest] = dashboardTasks(database, t.config)
    expect(rest).toEqual([])
    expect(fleetTask).toMatchObject({ name: 'kpi-snapshot', intervalMs: 15 * 60_000 })
    expect(tenantTask).toMatchObject({ name: 'kpi-tenant-snapshot', intervalMs: 60 * 60_000 })
    expect([KPI_SNAPSHOT_INTERVAL_MS, KPI_TENANT_SNAPSHOT_INTERVAL_MS]).toEqual([
      15 * 60_000,
      60 * 60_000,
    ])
    await t.db.deleteFrom('kpi_daily').execute()
    await fleetTask.run()
    let rows = await rowsOf(utcDay(new Date()))
    expect(rows.map((r) => r.tenant_id)).toEqual([null])
    await tenantTask.run()
    rows = await rowsOf(utcDay(new Date()))
    expect(rows.filter((r) => r.tenant_id !== null)).toHaveLength(3)
    expect(dedicated).toEqual(['connection', 'connection'])
  })
})
