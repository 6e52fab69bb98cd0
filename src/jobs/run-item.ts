import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import {
  renewJobItemLease,
  settleJobItem,
  type ClaimedItem,
  type ItemLease,
  type ItemSettlement,
} from '../db/job-claims.js'
import { finishJobRunIfDone, stopJobRunAfterFailures } from '../db/job-runs.js'
import type { JobHandler, JobItemOutcome } from './job-kinds.js'

// One claimed item, start to end: the kind's handler under a lease renewed every third of its
// length, then a compare-and-set settle, then the run's end when this was its last item or its
// K-th failure. Shared by the background runner and drainJobRun (src/jobs/runner.ts).

export type ItemRunner = {
  database: DatabaseHandle
  config: Config
  handlers: ReadonlyMap<string, JobHandler>
  workerId: string
  now: () => Date
  log: (line: Record<string, unknown>) => void
}

/** Longest error message kept on an item: enough for a SQL error, never a wall of text. */
const MAX_ERROR_LENGTH = 2000

/**
 * Runs one claimed item and settles it. A handler that throws fails only its item; a settle
 * refused because the lease was taken over is logged and its outcome dropped.
 * @returns the item's end as recorded, or `lost` when the settle was refused
 */
export async function runClaimedItem(
  runner: ItemRunner,
  claimed: ClaimedItem,
): Promise<ItemSettlement['status'] | 'lost'> {
  const { run, item } = claimed
  const lease: ItemLease = {
    runId: run.id,
    seq: item.seq,
    leaseOwner: runner.workerId,
    attempts: item.attempts,
  }
  const stopRenewing = renewWhileRunning(runner, lease)
  const settlement = await outcomeOf(runner, claimed).finally(stopRenewing)
  const db = runner.database.jobDb
  const now = runner.now()
  if (!(await settleJobItem(db, lease, settlement, now))) {
    runner.log({
      level: 'warn',
      msg: 'job item settle refused: its lease was taken over',
      ...lease,
    })
    return 'lost'
  }
  if (settlement.status === 'failed') await stopJobRunAfterFailures(db, run.id, now)
  await finishJobRunIfDone(db, run.id, now)
  return settlement.status
}

async function outcomeOf(runner: ItemRunner, { run, item }: ClaimedItem): Promise<ItemSettlement> {
  const handler = runner.handlers.get(run.kind)
  if (!handler) return { status: 'failed', error: `no handler for job kind ${run.kind}` }
  try {
    const outcome = await handler.runItem({
      db: runner.database.jobDb,
      database: runner.database,
      config: runner.config,
      run,
      item,
      now: runner.now,
    })
    return settlementOf(outcome)
  } catch (error) {
    return { status: 'failed', error: messageOf(error) }
  }
}

function settlementOf(outcome: JobItemOutcome): ItemSettlement {
  if (outcome.status === 'skipped') return { status: 'skipped', result: { reason: outcome.reason } }
  return { status: 'done', result: outcome.result ?? null }
}

/** The message of what a handler threw, one line at most MAX_ERROR_LENGTH long; never a stack. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const line = text.replace(/\s*\n\s*/g, ' ').trim() || 'the job item failed'
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line
}

function renewWhileRunning(runner: ItemRunner, lease: ItemLease): () => void {
  const seconds = runner.config.jobLeaseSeconds
  const timer = setInterval(
    () => {
      renewJobItemLease(runner.database.jobDb, lease, seconds, runner.now())
        .then((held) => {
          if (!held)
            runner.log({ level: 'warn', msg: 'job item lease lost while running', ...lease })
        })
        .catch((error) =>
          runner.log({ level: 'warn', msg: 'job lease renewal failed', error: messageOf(error) }),
        )
    },
    (seconds * 1000) / 3,
  )
  timer.unref()
  return () => clearInterval(timer)
}
