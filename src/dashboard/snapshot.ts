import type { Db } from '../db/database.js'
import {
  addDays,
  hostDayAverages,
  KPI_DAILY_KEEP_DAYS,
  pruneKpiDaily,
  upsertFleetDay,
  upsertTenantDays,
  utcDay,
} from '../db/kpi-daily.js'
import { readKpis } from '../db/kpis.js'
import { ALL_TENANTS } from '../db/tenant-scope.js'

/** How often today's KPI rows are rewritten: the last run of a UTC day is that day's close. */
export const KPI_SNAPSHOT_INTERVAL_MS = 15 * 60_000

export type SnapshotResult = { day: string; tenantRows: number; pruned: number }

/**
 * Writes today's (UTC) kpi_daily rows: the fleet's (the dashboard's own numbers, `readKpis`,
 * with the user total always counted,
 * plus the day's average host CPU, memory and disk from health_samples) and one per tenant that
 * is not deleted, in a fixed number of statements whatever the fleet's size; then removes rows
 * older than KPI_DAILY_KEEP_DAYS. A second run the same day replaces the first's values.
 */
export async function takeKpiSnapshot(db: Db, now: Date = new Date()): Promise<SnapshotResult> {
  const day = utcDay(now)
  const [fleet, host] = await Promise.all([
    readKpis(db, ALL_TENANTS, now, { exactUsers: true }),
    hostDayAverages(db, day),
  ])
  await upsertFleetDay(
    db,
    day,
    {
      activeTenants: fleet.activeTenants,
      suspendedTenants: fleet.suspendedTenants,
      users: fleet.users,
      activeUsers: fleet.activeUsers,
      signupsToday: fleet.signupsToday,
      pendingJoinRequests: fleet.pendingJoinRequests,
      activeImpersonations: fleet.activeImpersonations,
      storageBytes: fleet.storageBytes,
      hostCpuPercent: host.cpuPercent,
      hostMemoryPercent: host.memoryPercent,
      hostDiskPercent: host.diskPercent,
    },
    now,
  )
  const tenantRows = await upsertTenantDays(db, day, now)
  const pruned = await pruneKpiDaily(db, addDays(day, -KPI_DAILY_KEEP_DAYS))
  return { day, tenantRows, pruned }
}
