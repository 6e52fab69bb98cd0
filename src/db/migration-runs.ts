import { sql } from 'kysely'
import type { Db } from './database.js'
import { toJobRun, type JobRun } from './job-runs.js'

// Fleet migration runs (`tenant_migration` job runs, issue 11 item 4) as /fleet/migrations
// lists them.

/** A run with its items counted by status. */
export type MigrationRunSummary = JobRun & {
  done: number
  skipped: number
  failed: number
  /** Pending or running. */
  open: number
}

/** The running or paused fleet migration, if any (one at a time: their items would overlap). */
export async function findActiveMigrationRun(db: Db): Promise<JobRun | undefined> {
  const row = await db
    .selectFrom('job_runs')
    .selectAll()
    .where('kind', '=', 'tenant_migration')
    .where('status', 'in', ['running', 'paused'])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row && toJobRun(row)
}

/** The latest `limit` fleet migration runs, newest first, with item counts by status. */
export async function listMigrationRuns(db: Db, limit = 10): Promise<MigrationRunSummary[]> {
  const rows = await db
    .selectFrom('job_runs as r')
    .selectAll('r')
    .select(() => [
      countItems(['done']).as('done_items'),
      countItems(['skipped']).as('skipped_items'),
      countItems(['failed']).as('failed_items'),
      countItems(['pending', 'running']).as('open_items'),
    ])
    .where('r.kind', '=', 'tenant_migration')
    .orderBy('r.created_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    ...toJobRun(row),
    done: row.done_items,
    skipped: row.skipped_items,
    failed: row.failed_items,
    open: row.open_items,
  }))
}

function countItems(statuses: string[]) {
  return sql<number>`(select count(*)::int from job_items i
    where i.run_id = r.id and i.status = any(${statuses}::text[]))`
}
