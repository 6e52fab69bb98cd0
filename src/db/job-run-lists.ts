import { sql } from 'kysely'
import type { Db } from './database.js'
import { toJobItem, toJobRun, type JobItem, type JobProgress, type JobRun } from './job-runs.js'
import type { JobItemStatus, JobRunStatus } from './schema.js'

// What /jobs and /jobs/:id read (issue 11 item 1): runs with failures first, then open ones,
// then the rest newest first, keyset-paged; a run's items, failed ones first.

/** Where a run sorts on /jobs: 0 has failures, 1 running or paused, 2 the rest. */
export type RunRank = 0 | 1 | 2

/** The last row of a page of runs: the next page starts after it. */
export type RunCursor = { rank: RunRank; createdAt: Date; id: string }

export type JobRunFilter = { kind?: string; status?: JobRunStatus }

export type ListedRun = { run: JobRun; rank: RunRank; progress: JobProgress }

/**
 * Up to `limit` runs after `cursor` in /jobs order: runs with a failed item (or that failed)
 * first, then running and paused ones, then the rest, each newest first (created_at, id).
 * @returns the runs with their item counts (two statements for the page)
 */
export async function listJobRuns(
  db: Db,
  filter: JobRunFilter,
  cursor: RunCursor | undefined,
  limit: number,
): Promise<ListedRun[]> {
  const rank = sql<number>`case
    when r.status = 'failed' or exists (select 1 from job_items i
      where i.run_id = r.id and i.status = 'failed') then 0
    when r.status in ('running', 'paused') then 1 else 2 end`
  let query = db
    .selectFrom((qb) =>
      qb.selectFrom('job_runs as r').selectAll('r').select(rank.as('rank')).as('r'),
    )
    .selectAll()
  if (filter.kind) query = query.where('r.kind', '=', filter.kind)
  if (filter.status) query = query.where('r.status', '=', filter.status)
  if (cursor)
    query = query.where(sql<boolean>`(r.rank > ${cursor.rank} or (r.rank = ${cursor.rank}
      and (r.created_at, r.id) < (${cursor.createdAt}, ${cursor.id})))`)
  const rows = await query
    .orderBy('r.rank')
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute()
  const counts = await progressOfRuns(
    db,
    rows.map((row) => row.id),
  )
  return rows.map((row) => ({
    run: toJobRun(row),
    rank: Number(row.rank) as RunRank,
    progress: counts.get(row.id) ?? emptyProgress(),
  }))
}

function emptyProgress(): JobProgress {
  return { total: 0, pending: 0, running: 0, done: 0, failed: 0, skipped: 0, canceled: 0 }
}

/** Item counts of several runs in one grouped statement. */
export async function progressOfRuns(
  db: Db,
  runIds: readonly string[],
): Promise<Map<string, JobProgress>> {
  const result = new Map<string, JobProgress>()
  if (runIds.length === 0) return result
  const rows = await db
    .selectFrom('job_items')
    .select((eb) => ['run_id', 'status', eb.fn.countAll<number>().as('n')])
    .where('run_id', 'in', runIds)
    .groupBy(['run_id', 'status'])
    .execute()
  for (const row of rows) {
    const progress = result.get(row.run_id) ?? emptyProgress()
    progress[row.status] = Number(row.n)
    progress.total += Number(row.n)
    result.set(row.run_id, progress)
  }
  return result
}

/** The kinds that have runs, for the filter. */
export async function listJobRunKinds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('job_runs').select('kind').distinct().orderBy('kind').execute()
  return rows.map((row) => row.kind)
}

/**
 * A run's items: with `status`, only those (in seq order); otherwise every item but failed
 * ones, after seq `afterSeq`. At most `limit`.
 */
export async function listJobItems(
  db: Db,
  runId: string,
  options: { status?: JobItemStatus; afterSeq?: number; limit: number },
): Promise<JobItem[]> {
  let query = db.selectFrom('job_items').selectAll().where('run_id', '=', runId)
  query = options.status
    ? query.where('status', '=', options.status)
    : query.where('status', '!=', 'failed').where('seq', '>', options.afterSeq ?? 0)
  const rows = await query.orderBy('seq').limit(options.limit).execute()
  return rows.map(toJobItem)
}

/** The job queue as /system samples it (issue 11 item 1; seed 002 "backup-queue depth"). */
export type JobQueue = {
  /** Items pending in every run. */
  itemsPending: number
  /** Items pending or running in runs of kind `backup`. */
  backupQueueDepth: number
}

/**
 * The job queue in one statement (the sampler runs every 10 s). Only runs not completed or
 * canceled can hold open items: those are found by status, then their items by (run_id, status),
 * never a scan of 90 days of items.
 */
export async function readJobQueue(db: Db): Promise<JobQueue> {
  const { rows } = await sql<{ pending: number; backups: number }>`
    select count(*) filter (where i.status = 'pending')::int as pending,
      count(*) filter (where r.kind = 'backup')::int as backups
    from job_runs r join job_items i on i.run_id = r.id and i.status in ('pending', 'running')
    where r.status in ('running', 'paused', 'failed')`.execute(db)
  return { itemsPending: rows[0].pending, backupQueueDepth: rows[0].backups }
}
