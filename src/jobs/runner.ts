import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import { claimJobItems } from '../db/job-claims.js'
import { findJobRun, progressOf, type JobProgress, type JobRun } from '../db/job-runs.js'
import { jobHandlers } from './job-handlers.js'
import type { JobHandler } from './job-kinds.js'
import { messageOf, runClaimedItem, type ItemRunner } from './run-item.js'

// The job runner (DESIGN.md §8, issue 11 item 1): a small table-based runner rather than pg-boss,
// because an operator steers a *run* of thousands of items (pause, resume, cancel, retry, progress,
// per-run concurrency across instances, stop after K failures). Items are claimed FOR UPDATE SKIP
// LOCKED under a lease (src/db/job-claims.ts), so every instance runs the same loop and shares the
// work, and an item held by a process that died is claimed again once its lease lapses.

export type RunnerOptions = {
  /** The kinds' handlers (default: jobHandlers()). */
  handlers?: readonly JobHandler[]
  /** Stored as each claimed item's lease_owner (default `host:pid:random`). */
  workerId?: string
  /** The clock (tests move it past leases). */
  now?: () => Date
  log?: (line: Record<string, unknown>) => void
}

function itemRunner(database: DatabaseHandle, config: Config, options: RunnerOptions): ItemRunner {
  const handlers = options.handlers ?? jobHandlers()
  return {
    database,
    config,
    handlers: new Map(handlers.map((handler) => [handler.kind, handler])),
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    now: options.now ?? (() => new Date()),
    log: options.log ?? (() => {}),
  }
}

/**
 * Runs one run's items in this process until none is claimable (the CLI's `fleet -- migrate`,
 * tests): at most the run's concurrency at once, counting items other instances hold under a
 * live lease. `onProgress` gets the run's counts after each item. Items another process holds
 * under a live lease are left to it.
 * @returns the run as it ended (still `running` when another process holds items of it)
 * @throws Error when the run does not exist, or when the database fails
 */
export async function drainJobRun(
  database: DatabaseHandle,
  config: Config,
  runId: string,
  options: RunnerOptions & { onProgress?: (progress: JobProgress) => void } = {},
): Promise<JobRun> {
  const runner = itemRunner(database, config, options)
  const db = database.jobDb
  const run = await findJobRun(db, runId)
  if (!run) throw new Error(`no job run ${runId}`)
  const inFlight = new Set<Promise<void>>()
  for (;;) {
    const free = run.concurrency - inFlight.size
    const claimed = free < 1 ? [] : await claimJobItems(db, claimOf(runner, config, free, runId))
    for (const one of claimed) {
      const done: Promise<void> = runClaimedItem(runner, one)
        .then(async () => options.onProgress?.(await progressOf(db, runId)))
        .finally(() => inFlight.delete(done))
      inFlight.add(done)
    }
    if (inFlight.size === 0) break
    if (claimed.length === 0 || inFlight.size >= run.concurrency) await Promise.race(inFlight)
  }
  return (await findJobRun(db, runId))!
}

function claimOf(runner: ItemRunner, config: Config, limit: number, runId?: string) {
  const leaseSeconds = config.jobLeaseSeconds
  return { workerId: runner.workerId, limit, leaseSeconds, now: runner.now(), runId }
}

export type JobRunner = {
  /** Claims and runs items until stop(). */
  start(): void
  /** No new item starts; resolves when the items in flight have settled. */
  stop(): Promise<void>
}

/** Poll interval while there is work, and the longest back-off when idle (ms). */
export const RUNNER_POLL_MS = 1000
export const RUNNER_IDLE_MS = 5000

/**
 * The server's background runner: every instance runs one, at most `config.jobWorkers` items at
 * once across runs (oldest runs first), polling every `pollMs` (≤ 1 s) while there is work and
 * backing off to RUNNER_IDLE_MS when idle; an item that ends wakes it at once.
 */
export function createJobRunner(
  options: RunnerOptions & { database: DatabaseHandle; config: Config; pollMs?: number },
): JobRunner {
  const { database, config } = options
  const runner = itemRunner(database, config, options)
  const pollMs = options.pollMs ?? RUNNER_POLL_MS
  const inFlight = new Set<Promise<unknown>>()
  let active = false
  let loop: Promise<void> | undefined
  let wake = () => {}
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => (clearTimeout(timer), resolve())
    })
  const claimMore = async (): Promise<number> => {
    const free = config.jobWorkers - inFlight.size
    if (free < 1) return -1
    const claimed = await claimJobItems(database.jobDb, claimOf(runner, config, free))
    for (const one of claimed) {
      const done: Promise<unknown> = runClaimedItem(runner, one)
        .catch((error) => runner.log({ level: 'error', msg: 'job item', error: messageOf(error) }))
        .finally(() => (inFlight.delete(done), wake()))
      inFlight.add(done)
    }
    return claimed.length
  }
  const run = async () => {
    let idleMs = pollMs
    while (active) {
      const claimed = await claimMore().catch((error) => {
        runner.log({ level: 'error', msg: 'job claim failed', error: messageOf(error) })
        return 0
      })
      const delay = claimed === 0 ? idleMs : pollMs
      idleMs = claimed === 0 ? Math.min(idleMs * 2, Math.max(pollMs, RUNNER_IDLE_MS)) : pollMs
      if (active) await sleep(delay)
    }
  }
  return {
    start() {
      if (active) return
      active = true
      loop = run()
    },
    async stop() {
      active = false
      wake()
      await loop
      await Promise.allSettled([...inFlight])
    },
  }
}
