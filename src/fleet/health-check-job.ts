import type { JobHandler } from '../jobs/job-kinds.js'
import type { JobRunSpec } from '../jobs/start-run.js'
import { runFleetHealthCheck } from './health-check.js'

// The health check as a job (issue 11 items 1–2): one item, target `fleet`, so a check started
// from /fleet, the CLI or the nightly schedule is watched on /jobs like any other run.

/** A run of the whole-fleet health check: one item `fleet`, concurrency 1. */
export function healthCheckRunSpec(): JobRunSpec {
  return {
    kind: 'health_check',
    label: 'Health check of every tenant schema',
    params: {},
    concurrency: 1,
    stopAfterFailures: null,
    items: [{ tenantId: null, target: 'fleet' }],
  }
}

/**
 * Runs runFleetHealthCheck for the run and stores it under the run's id. Idempotent: an item
 * claimed again after its lease lapsed finds the check its run already stored and reports that.
 */
export const healthCheckHandler: JobHandler = {
  kind: 'health_check',
  async runItem({ db, database, config, run, now }) {
    const stored = await db
      .selectFrom('fleet_checks')
      .select(['id', 'duration_ms', 'summary'])
      .where('run_id', '=', run.id)
      .executeTakeFirst()
    if (stored) {
      return {
        status: 'done',
        result: { checkId: stored.id, durationMs: stored.duration_ms, summary: stored.summary },
      }
    }
    const check = await runFleetHealthCheck(database, config, { runId: run.id, now })
    const durationMs = Math.round(check.durationMs)
    return {
      status: 'done',
      result: { checkId: check.checkId, durationMs, summary: check.summary },
    }
  },
}
