import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle } from '../db/database.js'
import type { JobRun } from '../db/job-runs.js'
import { findActiveMigrationRun } from '../db/migration-runs.js'
import { startExclusiveRun } from '../jobs/start-run.js'
import { buildPendingReport, type PendingTenant } from './fleet-migrations.js'
import type { MigrationVia } from './migration-job.js'

// Starting a fleet migration (issue 11 item 4): a canary (the first N tenants, or chosen ones)
// that stops for review, or the run of every tenant with something pending.

export type MigrationRunRequest =
  | { mode: 'canary'; count: number; slugs?: undefined }
  | { mode: 'canary'; slugs: string[]; count?: undefined }
  | { mode: 'run'; concurrency: number; stopAfterFailures: number | null }

export type MigrationRunRefusal =
  | { ok: false; field: 'slugs'; reason: string }
  /** `upToDate`: refused because nothing is pending anywhere (the CLI exits 0 then). */
  | { ok: false; field: null; reason: string; upToDate?: boolean }

/** Chosen slugs in the given order, or the field's message naming those that cannot run. */
function chooseSlugs(
  pending: PendingTenant[],
  slugs: string[],
): PendingTenant[] | MigrationRunRefusal {
  const bySlug = new Map(pending.map((t) => [t.slug, t]))
  const unknown = slugs.filter((s) => !bySlug.has(s))
  if (unknown.length > 0)
    return {
      ok: false,
      field: 'slugs',
      reason: `No tenant with pending migrations has the slug ${unknown.join(', ')}.`,
    }
  return slugs.map((s) => bySlug.get(s)!)
}

/**
 * Starts a `tenant_migration` run (issue 11 item 4) over the tenants the pending report lists:
 * a canary of the first `count` (in created_at, slug order) or of `slugs`, at concurrency 1; or
 * every tenant with something pending at `concurrency` (1–8), stopping after
 * `stopAfterFailures` failures when set. Audited as `job.start` (params: mode, via).
 * @returns the run, or a refusal: unknown slugs (field `slugs`), nothing pending, or another
 *   fleet migration still running or paused
 */
export async function startMigrationRun(
  database: DatabaseHandle,
  context: AuditContext,
  request: MigrationRunRequest,
  options: { migrationDirs: readonly string[]; via: MigrationVia; now?: Date },
): Promise<{ ok: true; run: JobRun } | MigrationRunRefusal> {
  const active = await findActiveMigrationRun(database.db)
  if (active) return activeRefusal(active)
  const report = await buildPendingReport(database, options.migrationDirs)
  let targets = report.tenants
  if (request.mode === 'canary' && request.slugs) {
    const chosen = chooseSlugs(report.tenants, request.slugs)
    if (!Array.isArray(chosen)) return chosen
    targets = chosen
  } else if (request.mode === 'canary') targets = report.tenants.slice(0, request.count)
  if (targets.length === 0)
    return { ok: false, field: null, reason: 'No tenant has a pending migration.', upToDate: true }
  const canary = request.mode === 'canary'
  const { started, run } = await startExclusiveRun(
    database.db,
    context,
    {
      kind: 'tenant_migration',
      label: `${canary ? 'Canary migration' : 'Fleet migration'} of ${targets.length} tenant${targets.length === 1 ? '' : 's'}`,
      params: { mode: request.mode, via: options.via },
      concurrency: canary ? 1 : request.concurrency,
      stopAfterFailures: canary ? null : request.stopAfterFailures,
      items: targets.map((t) => ({ tenantId: t.id, target: t.slug })),
    },
    options.now,
  )
  if (!started) return activeRefusal(run)
  return { ok: true, run }
}

/** Only one fleet migration at a time: their items would overlap. */
function activeRefusal(active: JobRun): MigrationRunRefusal {
  return {
    ok: false,
    field: null,
    reason: `Fleet migration “${active.label}” is still ${active.status}: finish or cancel it first.`,
  }
}
