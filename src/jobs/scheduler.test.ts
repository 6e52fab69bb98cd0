import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { listSchedulerRuns } from '../db/scheduler-runs.js'
import { openTestDatabase } from '../db/test-database.js'
import { createScheduler, MAX_TIMER_MS, timerDelay, type PeriodicTask } from './scheduler.js'

let handle: DatabaseHandle

beforeAll(async () => {
  handle = await openTestDatabase()
})

afterAll(() => handle?.close())

afterEach(async () => {
  await handle.db.deleteFrom('scheduler_runs').execute()
  vi.restoreAllMocks()
})

const HOUR = 3_600_000
/** A slot boundary of every interval used below. */
const T0 = Date.UTC(2026, 10, 30, 12)
const quiet = () => {}

function manualClock(start = T0) {
  let ms = start
  return { now: () => ms, advance: (by: number) => void (ms += by) }
}

function countingTask(
  name: string,
  intervalMs: number,
  work: () => Promise<void> = async () => {},
) {
  const task = {
    name,
    intervalMs,
    runs: 0,
    async run() {
      task.runs++
      await work()
    },
  }
  return task
}

describe('createScheduler', () => {
  it.each(['advisory', 'none'] as const)(
    'two schedulers on one database run a task once per interval, not twice (lock: %s)',
    async (lock) => {
      const clock = manualClock()
      const task = countingTask('count', HOUR)
      const options = { now: clock.now, log: quiet, lock }
      const a = createScheduler(handle.db, [task], { ...options, instance: 'a' })
      const b = createScheduler(handle.db, [task], { ...options, instance: 'b' })

      await Promise.all([a.runDue(), b.runDue()])
      await Promise.all([a.runDue(), b.runDue()])
      clock.advance(HOUR / 2)
      await Promise.all([b.runDue(), a.runDue()])
      expect(task.runs).toBe(1)

      clock.advance(HOUR / 2)
      await Promise.all([b.runDue(), a.runDue()])

      expect(task.runs).toBe(2)
      const runs = await listSchedulerRuns(handle.db, { task: 'count' })
      expect(runs.map((r) => [r.plannedAt.getTime(), r.outcome])).toEqual([
        [T0 + HOUR, 'succeeded'],
        [T0, 'succeeded'],
      ])
      expect(runs.every((r) => ['a', 'b'].includes(r.instance))).toBe(true)
    },
  )

  it('records the planned start (the slot) and the actual start of each run', async () => {
    const clock = manualClock(T0 + 1234)
    const task = countingTask('late', HOUR, async () => clock.advance(500))
    const scheduler = createScheduler(handle.db, [task], { now: clock.now, log: quiet })

    await scheduler.runDue()

    const [run] = await listSchedulerRuns(handle.db, { task: 'late' })
    expect(run).toMatchObject({
      plannedAt: new Date(T0),
      startedAt: new Date(T0 + 1234),
      finishedAt: new Date(T0 + 1734),
      outcome: 'succeeded',
      error: null,
    })
  })

  it('a task that throws is recorded as failed with its error, and the scheduler goes on', async () => {
    const clock = manualClock()
    const failing = countingTask('failing', HOUR, async () => {
      throw new Error('disk full')
    })
    const healthy = countingTask('healthy', HOUR)
    const scheduler = createScheduler(handle.db, [failing, healthy], {
      now: clock.now,
      log: quiet,
    })

    const first = await scheduler.runDue()
    clock.advance(HOUR)
    await scheduler.runDue()

    expect(first.map((r) => r.outcome)).toEqual(['failed', 'succeeded'])
    expect([failing.runs, healthy.runs]).toEqual([2, 2])
    const runs = await listSchedulerRuns(handle.db, { task: 'failing' })
    expect(runs.map((r) => [r.outcome, r.error])).toEqual([
      ['failed', 'disk full'],
      ['failed', 'disk full'],
    ])
  })

  it('a run still going when its next slot comes is not started again beside itself', async () => {
    const clock = manualClock()
    let release!: () => void
    const slow = countingTask('slow', HOUR, () => new Promise<void>((r) => (release = r)))
    const scheduler = createScheduler(handle.db, [slow], { now: clock.now, log: quiet })

    const first = scheduler.runDue()
    await vi.waitFor(() => expect(slow.runs).toBe(1))
    clock.advance(HOUR)
    const second = scheduler.runDue()
    release()

    expect(await second).toEqual([{ task: 'slow', outcome: 'skipped' }])
    expect((await first)[0].outcome).toBe('succeeded')
    expect(slow.runs).toBe(1)
  })

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'on a server, an instance does not start a task that another instance is still running',
    async () => {
      const clock = manualClock()
      let release!: () => void
      const slow = countingTask('held', HOUR, () => new Promise<void>((r) => (release = r)))
      const a = createScheduler(handle.db, [slow], { instance: 'a', now: clock.now, log: quiet })
      const b = createScheduler(handle.db, [slow], { instance: 'b', now: clock.now, log: quiet })

      const first = a.runDue()
      await vi.waitFor(() => expect(slow.runs).toBe(1))
      clock.advance(HOUR)
      const second = await b.runDue()
      release()
      await first

      expect(second).toEqual([{ task: 'held', outcome: 'skipped' }])
      expect(slow.runs).toBe(1)
      expect(await listSchedulerRuns(handle.db, { task: 'held' })).toHaveLength(1)
    },
  )

  it('start() runs tasks as their slots come; after stop() nothing runs any more', async () => {
    const task = countingTask('ticking', 40)
    const scheduler = createScheduler(handle.db, [task], { log: quiet })

    scheduler.start()
    await vi.waitFor(() => expect(task.runs).toBeGreaterThanOrEqual(2), { timeout: 3000 })
    await scheduler.stop()
    const runsAtStop = task.runs
    await new Promise((resolve) => setTimeout(resolve, 200))

    expect(task.runs).toBe(runsAtStop)
    const runs = await listSchedulerRuns(handle.db, { task: 'ticking' })
    expect(runs).toHaveLength(runsAtStop)
    expect(runs.every((r) => r.outcome === 'succeeded')).toBe(true)
  })

  it('never asks Node for a timer longer than 2^31-1 ms, whatever the interval', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const monthly = countingTask('monthly', 60 * 24 * HOUR)
    const scheduler = createScheduler(handle.db, [monthly], {
      pollMs: Number.POSITIVE_INFINITY,
      log: quiet,
    })

    scheduler.start()
    await vi.waitFor(() => expect(monthly.runs).toBe(1))
    await new Promise((resolve) => setTimeout(resolve, 100))
    await scheduler.stop()

    const delays = spy.mock.calls.map((call) => Number(call[1] ?? 0))
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_MS)
    expect(monthly.runs).toBe(1)
    expect(timerDelay(2 ** 40)).toBe(MAX_TIMER_MS)
    expect(timerDelay(-5)).toBe(0)
  })

  it('refuses a task without a positive interval', () => {
    const task: PeriodicTask = { name: 'never', intervalMs: 0, run: async () => {} }

    expect(() => createScheduler(handle.db, [task])).toThrow(RangeError)
  })
})
