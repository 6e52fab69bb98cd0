import { hostname } from 'node:os'
import type { Db } from '../db/database.js'
import { logThroughPino, processLogger } from '../observability/logger.js'
import { claimSchedulerSlot, finishSchedulerRun, withTaskLock } from '../db/scheduler-runs.js'

// The one scheduler of periodic work (DESIGN.md §8). Time is cut into slots of each task's
// interval, aligned to the epoch, so every instance computes the same slots; a slot runs once,
// claimed by a row in scheduler_runs (unique per task and slot), and a task runs on one instance
// at a time, under its advisory lock. Nothing lives only in memory: after a restart the table
// says whether this slot already ran. When an instance dies mid-run, its lock goes with its
// connection and the next check of another instance (within the shortest task interval, or
// pollMs) takes that slot over: a daily task is not lost for a day.

/** Node's timers hold a signed 32-bit millisecond count; a longer delay fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1

export type PeriodicTask = {
  /** Unique and stable: the record and the lock are keyed by it. */
  name: string
  /** Milliseconds between planned starts (> 0). */
  intervalMs: number
  run: () => Promise<unknown>
}

export type SchedulerOptions = {
  /** `host:pid` by default; recorded with each run. */
  instance?: string
  /** The clock, in milliseconds since the epoch (tests move it). */
  now?: () => number
  /** Longest sleep between checks, in milliseconds (default 10 s), so a slot skipped because
   * another instance still held the task, or left running by an instance that died, is picked
   * up within seconds. A check costs each task one lock attempt and one insert. */
  pollMs?: number
  log?: (line: Record<string, unknown>) => void
  /**
   * `advisory` (default): a task runs under its advisory lock, on a connection pinned for the
   * run. `none`: for the embedded database, which one process owns (its data dir is locked), so
   * no other instance exists — and its single connection must not stay pinned while the task
   * itself queries. The unique slot claim applies either way.
   */
  lock?: 'advisory' | 'none'
}

export type RunOutcome =
  | { task: string; outcome: 'succeeded' | 'failed'; plannedAt: Date }
  /** The slot had run already, or another instance holds the task. */
  | { task: string; outcome: 'skipped' }

export type Scheduler = {
  /** Checks now, then keeps checking until stop(). */
  start(): void
  /** Runs every task whose current slot has not run yet; resolves when those runs end. */
  runDue(): Promise<RunOutcome[]>
  /** No new run starts; resolves when the runs in flight have ended. */
  stop(): Promise<void>
}

/** The start of the slot that `nowMs` falls in: slots are aligned to the epoch. */
export function slotStart(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs) * intervalMs
}

/** A delay Node's setTimeout honours: within [0, MAX_TIMER_MS]. */
export function timerDelay(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)))
}

/**
 * A scheduler of `tasks` over `db`. Each run is recorded with its planned start (the slot),
 * its actual start, its end and outcome; a task that throws is recorded as failed and the
 * scheduler goes on.
 * @throws RangeError for a task without a positive finite interval, or a duplicate name
 */
export function createScheduler(
  db: Db,
  tasks: PeriodicTask[],
  options: SchedulerOptions = {},
): Scheduler {
  for (const task of tasks) {
    if (!(task.intervalMs > 0) || !Number.isFinite(task.intervalMs))
      throw new RangeError(`task ${task.name}: intervalMs must be a positive number`)
  }
  if (new Set(tasks.map((t) => t.name)).size !== tasks.length)
    throw new RangeError('task names must be unique')
  const instance = options.instance ?? `${hostname()}:${process.pid}`
  const now = options.now ?? Date.now
  const pollMs = options.pollMs ?? 10_000
  const log = options.log ?? logThroughPino(processLogger())
  const createdAt = new Date(now())
  const inFlight = new Map<string, Promise<RunOutcome>>()
  /** Tasks this scheduler has checked at least once. */
  const checked = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  /**
   * Claims the task's current slot on `conn`; when it wins, runs the task and records the end.
   * `deadBefore`: a run of this slot still marked running and started before it has lost its
   * runner (see claimSchedulerSlot), so this instance takes the slot over. `catchUp`: this is
   * the instance's first check of the task (recorded so lag leaves the run out).
   */
  async function claimAndRun(
    conn: Db,
    task: PeriodicTask,
    deadBefore: Date,
    catchUp: boolean,
  ): Promise<RunOutcome> {
    const plannedAt = new Date(slotStart(now(), task.intervalMs))
    const startedAt = new Date(now())
    const claim = await claimSchedulerSlot(
      conn,
      { task: task.name, plannedAt, startedAt, instance, catchUp },
      { startedBefore: deadBefore },
    )
    if (claim === undefined) return { task: task.name, outcome: 'skipped' }
    const id = claim.id
    if (claim.takenOver)
      log({ level: 'warn', msg: 'task taken over from a runner that is gone', task: task.name })
    try {
      await task.run()
      await finishSchedulerRun(conn, id, { finishedAt: new Date(now()), outcome: 'succeeded' })
      log({ level: 'debug', msg: 'task ran', task: task.name, ms: now() - startedAt.getTime() })
      return { task: task.name, outcome: 'succeeded', plannedAt }
    } catch (error) {
      const message = (error as Error)?.message ?? String(error)
      await finishSchedulerRun(conn, id, {
        finishedAt: new Date(now()),
        outcome: 'failed',
        error: message,
      })
      log({ level: 'error', msg: 'task failed', task: task.name, error: message })
      return { task: task.name, outcome: 'failed', plannedAt }
    }
  }

  async function runTask(task: PeriodicTask): Promise<RunOutcome> {
    // The first check of a task here claims a slot already under way: a start, not a delay.
    const catchUp = !checked.has(task.name)
    checked.add(task.name)
    // One process owns the embedded database: a run left running by an earlier process is dead.
    if (options.lock === 'none') return claimAndRun(db, task, createdAt, catchUp)
    // Under the task's advisory lock no live runner exists: one would hold the lock (a dead
    // instance's lock went with its connection), so a slot still marked running is taken over.
    const held = await withTaskLock(db, task.name, (conn) =>
      claimAndRun(conn, task, new Date(now()), catchUp),
    )
    return held.locked ? held.value : { task: task.name, outcome: 'skipped' }
  }

  /** Starts the task unless it is already running here; a database error is logged, not thrown. */
  function launch(task: PeriodicTask): Promise<RunOutcome> {
    const running = inFlight.get(task.name)
    if (running) return running.then(() => ({ task: task.name, outcome: 'skipped' as const }))
    const run = runTask(task)
      .catch((error: unknown) => {
        log({
          level: 'error',
          msg: 'scheduler check failed',
          task: task.name,
          error: String(error),
        })
        return { task: task.name, outcome: 'skipped' as const }
      })
      .finally(() => inFlight.delete(task.name))
    inFlight.set(task.name, run)
    return run
  }

  function runDue(): Promise<RunOutcome[]> {
    if (stopped) return Promise.resolve([])
    return Promise.all(tasks.map(launch))
  }

  /** Sleeps until the next slot of any task begins, or pollMs, whichever is sooner. */
  function schedule() {
    if (stopped) return
    const t = now()
    const nextSlot = Math.min(
      ...tasks.map((task) => slotStart(t, task.intervalMs) + task.intervalMs),
    )
    timer = setTimeout(
      () => {
        void runDue()
        schedule()
      },
      timerDelay(Math.min(nextSlot - t, pollMs)),
    )
    timer.unref()
  }

  return {
    start() {
      if (stopped || timer) return
      void runDue()
      schedule()
    },
    runDue,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await Promise.all(inFlight.values())
    },
  }
}
