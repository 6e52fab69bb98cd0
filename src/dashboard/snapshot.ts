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

// The daily KPI rows (issue 10 item 2). They store POINT-IN-TIME counters only — tenants active
// or suspended, users, active users, pending requests, open impersonations, storage, host
// averages — and each run rewrites today's rows, so a day keeps its last observation (the last
// run before midnight UTC, or the last one the day saw when no instance ran at its end).
// DAY-BOUNDED counters (signups, new members: rows created in [D, D+1)) are not stored at all:
// a run at 23:45 cannot see 23:45–24:00, and a day no run closed would keep a partial count. The
// page counts them per day from `created_at` instead (readKpis' `signupsByDay`), which is whole
// for every day whenever runs happened.

/** How often today's fleet row is rewritten (the task `kpi-snapshot`). */
export const KPI_SNAPSHOT_INTERVAL_MS = 15 * 60_000

/**
 * How often today's tenant rows are rewritten (the task `kpi-tenant-snapshot`): they read every
 * membership, and only each past day's last observation is ever shown (today's numbers on the
 * page are live), so once an hour is enough; a day's tenant point is then its 23:00 UTC run.
 */
export const KPI_TENANT_SNAPSHOT_INTERVAL_MS = 60 * 60_000

export type SnapshotResult = { day: string; tenantRows: number; pruned: number }

/**
 * Writes today's (UTC) fleet row of kpi_daily: the dashboard's own numbers (`readKpis`, with the
 * user total and the active users always counted exactly), plus the day's average host CPU,
 * memory and disk from health_samples; then removes rows older than KPI_DAILY_KEEP_DAYS. A second
 * run the same day replaces the first's values. Counts up to every user: run it on a connection
 * of its own (the `kpi-snapshot` task does).
 */
export async function takeFleetSnapshot(
  db: Db,
  now: Date = new Date(),
): Promise<{ day: string; pruned: number }> {
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
      pendingJoinRequests: fleet.pendingJoinRequests,
      activeImpersonations: fleet.activeImpersonations,
      storageBytes: fleet.storageBytes,
      hostCpuPercent: host.cpuPercent,
      hostMemoryPercent: host.memoryPercent,
      hostDiskPercent: host.diskPercent,
    },
    now,
  )
  const pruned = await pruneKpiDaily(db, addDays(day, -KPI_DAILY_KEEP_DAYS))
  return { day, pruned }
}

/**
 * Writes today's (UTC) row of every tenant that is not deleted, in one set-based statement
 * (`upsertTenantDays`). @returns the day and how many rows were written
 */
export async function takeTenantSnapshot(
  db: Db,
  now: Date = new Date(),
): Promise<{ day: string; tenantRows: number }> {
  const day = utcDay(now)
  return { day, tenantRows: await upsertTenantDays(db, day, now) }
}

/** Both snapshots at `now`, one after the other (tests, the benchmark, a fresh demo). */
export async function takeKpiSnapshot(db: Db, now: Date = new Date()): Promise<SnapshotResult> {
  const { day, pruned } = await takeFleetSnapshot(db, now)
  const { tenantRows } = await takeTenantSnapshot(db, now)
  return { day, tenantRows, pruned }
}
