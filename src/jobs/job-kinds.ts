import type { Config } from '../config.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import type { JobItem, JobRun } from '../db/job-runs.js'

// The kinds of long work Fleetdeck runs as jobs (DESIGN.md §8, issue 11) and what a kind must
// provide. The runner (src/jobs/runner.ts) claims items and calls the kind's handler; a kind
// knows nothing about leases, concurrency, pause or cancel.

export type JobKind =
  /** One item (`fleet`): the health check of every tenant schema (src/fleet/health-check.ts). */
  | 'health_check'
  /** One item per tenant: apply pending tenant migrations (src/fleet/fleet-migrations.ts). */
  | 'tenant_migration'
  /** One item per tenant: a logical dump (src/fleet/backups.ts). */
  | 'backup'
  /** One item per deleted tenant past its grace period: drop schema and backups. */
  | 'purge'
  /** One item: move a tenant schema to another Citus worker node (src/fleet/tenant-move.ts). */
  | 'tenant_move'

/** Every job kind, for gauges that report a zero for kinds with nothing pending. */
export const ALL_JOB_KINDS: readonly JobKind[] = [
  'health_check',
  'tenant_migration',
  'backup',
  'purge',
  'tenant_move',
]

/** What a handler gets for one item. */
export type JobWork = {
  /** The connection to work on: one of the runner's own on PostgreSQL, never the request pool. */
  db: Db
  database: DatabaseHandle
  config: Config
  run: JobRun
  item: JobItem
  /** The run's clock (tests move it). */
  now: () => Date
}

/**
 * The outcome of one item: `done` with what it did (shown on the run page, stored as JSON), or
 * `skipped` with why (a deleted tenant, nothing pending). Throwing fails the item: the error's
 * message is recorded and the item can be retried.
 */
export type JobItemOutcome =
  { status: 'done'; result?: Record<string, unknown> } | { status: 'skipped'; reason: string }

export type JobHandler = {
  kind: JobKind
  /**
   * Runs one item. Must be idempotent: an item whose lease lapsed (its process died) is run
   * again by another worker, so it must finish the work or find it already done.
   */
  runItem(work: JobWork): Promise<JobItemOutcome>
}
