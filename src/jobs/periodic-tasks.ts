import { NIGHTLY_CHECKPOINT_CHECK_MS, signNightlyCheckpoint } from '../audit/checkpoints.js'
import { expireApprovals } from '../approvals/requests.js'
import { PENDING_SWEEP_INTERVAL_MS, sweepPendingStripeEvents } from '../billing/pending-sweep.js'
import type { Config } from '../config.js'
import { dashboardTasks } from '../dashboard/periodic.js'
import type { DatabaseHandle } from '../db/database.js'
import { fleetTasks } from '../fleet/periodic.js'
import { healthTasks } from '../health/periodic.js'
import { expireImpersonations } from '../tenancy/impersonation-end.js'
import { refreshStorageSnapshots } from '../tenancy/storage.js'
import { sweepTenantAuditOutbox } from '../tenancy/tenant-audit-delivery.js'
import { runHousekeeping } from './housekeeping.js'
import type { PeriodicTask } from './scheduler.js'

/** Approval requests past their 24 hours are marked expired every minute (issue 14). */
export const APPROVAL_EXPIRY_INTERVAL_MS = 60_000

/** Housekeeping runs every 10 minutes. */
export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000

/**
 * Lapsed impersonations are ended every 30 seconds: the record catches up with the clock (the
 * kit already treats a past `expiresAt` as ended, and the banner hides it at once).
 */
export const IMPERSONATION_EXPIRY_INTERVAL_MS = 30_000

/**
 * Tenant audit entries a verb could not deliver after its commit (a crash, a missing schema) are
 * retried every minute; the sweep takes rows older than 30 s, so it does not race the verb.
 */
export const TENANT_AUDIT_SWEEP_INTERVAL_MS = 60_000

/**
 * The server's periodic work, for `createScheduler`: storage snapshots every
 * STORAGE_SNAPSHOT_MINUTES (on a connection of their own: they touch every tenant schema,
 * DESIGN.md §3) and housekeeping every 10 minutes (expired sessions, old scheduler runs,
 * tenant users' sign-ins past their 180 days), lapsed impersonations ended every 30 s, and
 * undelivered tenant audit entries retried every minute.
 */
export function periodicTasks(database: DatabaseHandle, config: Config): PeriodicTask[] {
  return [
    {
      name: 'storage-snapshots',
      intervalMs: config.storageSnapshotSeconds * 1000,
      run: () => database.withDedicatedConnection((db) => refreshStorageSnapshots(db)),
    },
    {
      name: 'housekeeping',
      intervalMs: HOUSEKEEPING_INTERVAL_MS,
      run: () =>
        runHousekeeping(database.db, {
          idleSeconds: config.sessionIdleSeconds,
          absoluteSeconds: config.sessionAbsoluteSeconds,
        }),
    },
    {
      name: 'impersonation-expiry',
      intervalMs: IMPERSONATION_EXPIRY_INTERVAL_MS,
      run: () => expireImpersonations(database.db, new Date()),
    },
    {
      name: 'tenant-audit-outbox',
      intervalMs: TENANT_AUDIT_SWEEP_INTERVAL_MS,
      run: () => sweepTenantAuditOutbox(database.db, new Date()),
    },
    {
      name: 'billing-pending-events',
      intervalMs: PENDING_SWEEP_INTERVAL_MS,
      run: () => sweepPendingStripeEvents(database.db, new Date()),
    },
    // Issue 14 item 5: the chain head signed once per UTC day from 02:00 (checked hourly).
    {
      name: 'audit-checkpoint',
      intervalMs: NIGHTLY_CHECKPOINT_CHECK_MS,
      run: () => signNightlyCheckpoint(database.db, config, new Date()),
    },
    // issue 14: dual control — pending approval requests lapse after 24 h
    {
      name: 'approval-expiry',
      intervalMs: APPROVAL_EXPIRY_INTERVAL_MS,
      run: () => expireApprovals(database.db, new Date()),
    },
    ...healthTasks(database, config),
    ...dashboardTasks(database, config),
    ...fleetTasks(database, config),
  ]
}
