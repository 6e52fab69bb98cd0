import { sql } from 'kysely'
import type { DatabaseHandle, Db } from '../db/database.js'
import { openDatabase } from '../db/database.js'
import type { JobItemStatus } from '../db/schema.js'
import type { JobHandler, JobItemOutcome, JobKind, JobWork } from '../jobs/job-kinds.js'
import { startJobRun } from '../jobs/start-run.js'

// Job runs for tests of the runner and of the run's verbs: a run of N items that name no tenant,
// and a handler whose effect is a row per item (inserted idempotently), so a test can show an
// item's work happened exactly once however often it was claimed.

/** Starts a run of `items` targets `item-1`… with no creator, like the scheduler's. */
export function startTestRun(
  db: Db,
  options: { items?: number; kind?: JobKind; concurrency?: number; stopAfterFailures?: number },
  now: Date = new Date(),
) {
  const count = options.items ?? 3
  return startJobRun(
    db,
    { actor: null },
    {
      kind: options.kind ?? 'backup',
      label: `Test run of ${count} items`,
      params: {},
      concurrency: options.concurrency ?? 1,
      stopAfterFailures: options.stopAfterFailures ?? null,
      items: Array.from({ length: count }, (_, i) => ({ tenantId: null, target: `item-${i + 1}` })),
    },
    now,
  )
}

/** The table the recording handler writes its effect to (created once per database). */
export async function createEffectsTable(db: Db): Promise<void> {
  await sql`create table if not exists test_job_effects (
    run_id uuid not null, seq integer not null, applied integer not null default 1,
    primary key (run_id, seq))`.execute(db)
}

/** Rows of test_job_effects of a run: seq → how many times the effect was applied. */
export async function effectsOf(db: Db, runId: string): Promise<Map<number, number>> {
  const { rows } = await sql<{ seq: number; applied: number }>`
    select seq, applied from test_job_effects where run_id = ${runId}`.execute(db)
  return new Map(rows.map((row) => [row.seq, row.applied]))
}

export type RecordingHandler = JobHandler & { inFlight: number; maxInFlight: number }

/**
 * A handler whose effect is one test_job_effects row per item (a second application only counts
 * up, so "exactly once" is checkable). `decide` picks an item's outcome (default done) and may
 * throw to fail it; `delayMs` keeps items in flight long enough to overlap.
 */
export function recordingHandler(
  options: {
    kind?: JobKind
    delayMs?: number
    decide?: (work: JobWork) => JobItemOutcome | Promise<JobItemOutcome>
  } = {},
): RecordingHandler {
  const handler: RecordingHandler = {
    kind: options.kind ?? 'backup',
    inFlight: 0,
    maxInFlight: 0,
    async runItem(work) {
      handler.maxInFlight = Math.max(handler.maxInFlight, ++handler.inFlight)
      try {
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs))
        const outcome = await (options.decide?.(work) ?? { status: 'done' as const })
        await sql`insert into test_job_effects (run_id, seq) values (${work.run.id}, ${work.item.seq})
          on conflict (run_id, seq) do update set applied = test_job_effects.applied + 1`.execute(
          work.db,
        )
        return outcome
      } finally {
        handler.inFlight--
      }
    },
  }
  return handler
}

/** A run's items' statuses in seq order. */
export async function itemStatuses(db: Db, runId: string): Promise<JobItemStatus[]> {
  const rows = await db
    .selectFrom('job_items')
    .select('status')
    .where('run_id', '=', runId)
    .orderBy('seq')
    .execute()
  return rows.map((row) => row.status)
}

/** A second app instance on the same test database (a server only): its own pools. */
export async function openSecondInstance(db: Db): Promise<DatabaseHandle> {
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db)
  const url = new URL(process.env.TEST_DATABASE_URL!)
  url.pathname = `/${rows[0].name}`
  return openDatabase({ url: url.toString(), dataDir: '', poolSize: 2 })
}
