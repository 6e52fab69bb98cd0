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
  options: RunnerOptions & {
    database: DatabaseHandle
    config: Config
    pollMs?: number
    /** This instance's name, used as workerId when that is not given. */
    instance?: string
  },
): JobRunner {
  const workerId = options.workerId ?? options.instance
  const loop = new PollLoop(
    itemRunner(options.database, options.config, { ...options, workerId }),
    options.pollMs ?? RUNNER_POLL_MS,
  )
  let running: Promise<void> | undefined
  return {
    start() {
      running ??= loop.run()
    },
    async stop() {
      loop.active = false
      loop.wake()
      await running
      await Promise.allSettled([...loop.inFlight])
    },
  }
}

/** The background runner's state: items in flight, and a sleep an ending item cuts short. */
class PollLoop {
  active = true
  readonly inFlight = new Set<Promise<unknown>>()
  wake = () => {}

  constructor(
    private readonly runner: ItemRunner,
    private readonly pollMs: number,
  ) {}

  async run(): Promise<void> {
    let idleMs = this.pollMs
    while (this.active) {
      const claimed = await this.claimMore().catch((error) => {
        this.runner.log({ level: 'error', msg: 'job claim failed', error: messageOf(error) })
        return 0
      })
      const delay = claimed === 0 ? idleMs : this.pollMs
      idleMs =
        claimed === 0 ? Math.min(idleMs * 2, Math.max(this.pollMs, RUNNER_IDLE_MS)) : this.pollMs
      if (this.active) await this.sleep(delay)
    }
  }

  /** Claims up to the free workers and starts them. @returns how many (-1: none free) */
  private async claimMore(): Promise<number> {
    const { runner } = this
    const free = runner.config.jobWorkers - this.inFlight.size
    if (free < 1) return -1
    const claimed = await claimJobItems(runner.database.jobDb, claimOf(runner, runner.config, free))
    for (const one of claimed) {
      const done: Promise<unknown> = runClaimedItem(runner, one)
        .catch((error) => runner.log({ level: 'error', msg: 'job item', error: messageOf(error) }))
        .finally(() => (this.inFlight.delete(done), this.wake()))
      this.inFlight.add(done)
    }
    return claimed.length
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.wake = () => (clearTimeout(timer), resolve())
    })
  }
}
