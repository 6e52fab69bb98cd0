import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import type { JobRun } from '../db/job-runs.js'
import { findRunBackup } from '../db/tenant-backups.js'
import { findTenantById, listLiveTenantSlugs } from '../db/tenants.js'
import type { JobHandler, JobWork } from '../jobs/job-kinds.js'
import type { PeriodicTask } from '../jobs/scheduler.js'
import { startExclusiveRun, startScheduledRun, type JobRunSpec } from '../jobs/start-run.js'
import { createTenantBackup } from './backups.js'

// The fleet backup (issue 11 item 5; seed 000 "trigger backups"): a job run of one item per tenant
// that is not deleted, each a createTenantBackup. Started by an operator (/fleet/backups, the
// CLI) or nightly by the scheduler.

/** Items of a backup run at once: dumps are I/O-bound and each holds a server connection. */
export const BACKUP_CONCURRENCY = 2

/** Nightly: the scheduler starts a backup run every 24 h (none while one is still open). */
export const BACKUP_INTERVAL_MS = 24 * 3600_000

async function backupRunSpec(db: Db, scheduled: boolean): Promise<JobRunSpec> {
  const tenants = await listLiveTenantSlugs(db)
  return {
    kind: 'backup',
    label: `${scheduled ? 'Nightly backup' : 'Backup'} of ${tenants.length} tenants`,
    params: { reason: scheduled ? 'scheduled' : 'manual' },
    concurrency: BACKUP_CONCURRENCY,
    stopAfterFailures: null,
    items: tenants.map((t) => ({ tenantId: t.id, target: t.slug })),
  }
}

/**
 * An operator's "Back up every tenant": a run (audited `job.start`) the runner works through.
 * One at a time (startExclusiveRun): while a backup run is running or paused, that run is
 * returned and nothing starts.
 */
export async function startFleetBackup(
  db: Db,
  context: AuditContext,
  now = new Date(),
): Promise<JobRun> {
  return (await startExclusiveRun(db, context, await backupRunSpec(db, false), now)).run
}

/** The scheduler's nightly backup run, unless one is still open (startScheduledRun). */
export function backupTask(database: DatabaseHandle): PeriodicTask {
  return {
    name: 'fleet-backups',
    intervalMs: BACKUP_INTERVAL_MS,
    run: async (): Promise<JobRun | undefined> =>
      startScheduledRun(database.db, await backupRunSpec(database.db, true)),
  }
}

/**
 * The `backup` kind: backs up the item's tenant on the runner's connection. Idempotent: a
 * re-claimed item whose backup was already recorded by this run reports that one. A tenant
 * deleted since the run started, or never provisioned, is skipped; a missing schema of a live
 * tenant fails the item (the health check's `missing`).
 */
export const backupHandler: JobHandler = {
  kind: 'backup',
  async runItem(work: JobWork) {
    const tenant = work.item.tenantId && (await findTenantById(work.db, work.item.tenantId))
    if (!tenant || tenant.status === 'deleted') return skipped('the tenant was deleted')
    const done = await findRunBackup(work.db, work.run.id, tenant.id)
    if (done) return { status: 'done', result: resultOf(done) }
    const database = { ...work.database, db: work.db }
    const reason = work.run.params.reason === 'scheduled' ? 'scheduled' : 'manual'
    const context = { actor: null, batchId: work.run.id }
    const made = await createTenantBackup(database, work.config, context, tenant.id, reason, {
      runId: work.run.id,
      now: work.now(),
    })
    if (made.ok) return { status: 'done', result: resultOf(made.backup) }
    if (made.reason === 'tenant_deleted') return skipped('the tenant was deleted')
    if (['provisioning', 'failed'].includes(tenant.status)) return skipped(`it is ${tenant.status}`)
    throw new Error(
      made.reason === 'schema_missing' ? `schema of ${tenant.slug} is missing` : made.reason,
    )
  },
}

function skipped(reason: string) {
  return { status: 'skipped' as const, reason }
}

function resultOf(backup: { id: string; sizeBytes: number; durationMs: number }) {
  return { backupId: backup.id, sizeBytes: backup.sizeBytes, durationMs: backup.durationMs }
}
