import { afterEach, describe, expect, it, vi } from 'vitest'
import { sql } from 'kysely'
import { openDatabase } from '../db/database.js'
import { claimSchedulerSlot, listSchedulerRuns } from '../db/scheduler-runs.js'
import { createScheduler, MAX_TIMER_MS, timerDelay, type PeriodicTask } from './scheduler.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

afterEach(async () => {
  await t.db.deleteFrom('scheduler_runs').execute()
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

/** A second app instance: its own pool on the test database (a server only). */
async function openSecondInstance() {
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db)
  const url = new URL(process.env.TEST_DATABASE_URL!)
  url.pathname = `/${rows[0].name}`
  return openDatabase({ url: url.toString(), dataDir: '', poolSize: 2 })
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
      const a = createScheduler(t.db, [task], { ...options, instance: 'a' })
      const b = createScheduler(t.db, [task], { ...options, instance: 'b' })

      await Promise.all([a.runDue(), b.runDue()])
      await Promise.all([a.runDue(), b.runDue()])
      clock.advance(HOUR / 2)
      await Promise.all([b.runDue(), a.runDue()])
      expect(task.runs).toBe(1)

      clock.advance(HOUR / 2)
      await Promise.all([b.runDue(), a.runDue()])

      expect(task.runs).toBe(2)
      const runs = await listSchedulerRuns(t.db, { task: 'count' })
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
    const scheduler = createScheduler(t.db, [task], { now: clock.now, log: quiet })

    await scheduler.runDue()

    const [run] = await listSchedulerRuns(t.db, { task: 'late' })
    expect(run).toMatchObject({
      plannedAt: new Date(T0),
      startedAt: new Date(T0 + 1234),
      finishedAt: new Date(T0 + 1734),
      outcome: 'succeeded',
      error: null,
    })
  })

  it('marks its first run of a task as a catch-up (a start, not lag) and the next ones not', async () => {
    const clock = manualClock(T0 + 1234)
    const task = countingTask('first', HOUR)
    const scheduler = createScheduler(t.db, [task], { now: clock.now, log: quiet })

    await scheduler.runDue()
    clock.advance(HOUR)
    await scheduler.runDue()

    const rows = await t.db
      .selectFrom('scheduler_runs')
      .select(['planned_at', 'catch_up'])
      .where('task', '=', 'first')
      .orderBy('planned_at')
      .execute()
    expect(rows.map((r) => [r.planned_at.getTime(), r.catch_up])).toEqual([
      [T0, true],
      [T0 + HOUR, false],
    ])
  })

  it('a task that throws is recorded as failed with its error, and the scheduler goes on', async () => {
    const clock = manualClock()
    const failing = countingTask('failing', HOUR, async () => {
      throw new Error('disk full')
    })
    const healthy = countingTask('healthy', HOUR)
    const scheduler = createScheduler(t.db, [failing, healthy], {
      now: clock.now,
      log: quiet,
    })

    const first = await scheduler.runDue()
    clock.advance(HOUR)
    await scheduler.runDue()

    expect(first.map((r) => r.outcome)).toEqual(['failed', 'succeeded'])
    expect([failing.runs, healthy.runs]).toEqual([2, 2])
    const runs = await listSchedulerRuns(t.db, { task: 'failing' })
    expect(runs.map((r) => [r.outcome, r.error])).toEqual([
      ['failed', 'disk full'],
      ['failed', 'disk full'],
    ])
  })

  it('a run still going when its next slot comes is not started again beside itself', async () => {
    const clock = manualClock()
    let release!: () => void
    const slow = countingTask('slow', HOUR, () => new Promise<void>((r) => (release = r)))
    const scheduler = createScheduler(t.db, [slow], { now: clock.now, log: quiet })

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
      const a = createScheduler(t.db, [slow], { instance: 'a', now: clock.now, log: quiet })
      const b = createScheduler(t.db, [slow], { instance: 'b', now: clock.now, log: quiet })

      const first = a.runDue()
      await vi.waitFor(() => expect(slow.runs).toBe(1))
      clock.advance(HOUR)
      const second = await b.runDue()
      release()
      await first

      expect(second).toEqual([{ task: 'held', outcome: 'skipped' }])
      expect(slow.runs).toBe(1)
      expect(await listSchedulerRuns(t.db, { task: 'held' })).toHaveLength(1)
    },
  )

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'two app instances, each with its own pool on one PostgreSQL, run each slot once',
    async () => {
      const other = await openSecondInstance()
      try {
        const task = countingTask('shared', 50)
        const a = createScheduler(t.db, [task], { instance: 'a', log: quiet, pollMs: 20 })
        const b = createScheduler(other.db, [task], { instance: 'b', log: quiet, pollMs: 20 })
        a.start()
        b.start()
        await vi.waitFor(() => expect(task.runs).toBeGreaterThanOrEqual(6), { timeout: 5000 })
        await Promise.all([a.stop(), b.stop()])

        const runs = await listSchedulerRuns(t.db, { task: 'shared', limit: 1000 })
        expect(runs).toHaveLength(task.runs)
        const slots = runs.map((r) => r.plannedAt.getTime())
        expect(new Set(slots).size).toBe(slots.length)
      } finally {
        await other.close()
      }
    },
  )

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'when the instance running a task dies, another takes its slot over at its next check',
    async () => {
      const other = await openSecondInstance()
      const releases: (() => void)[] = []
      try {
        const clock = manualClock()
        const hung = countingTask(
          'nightly',
          24 * HOUR,
          () => new Promise<void>((r) => releases.push(r)),
        )
        const a = createScheduler(other.db, [hung], { instance: 'a', now: clock.now, log: quiet })
        const b = createScheduler(t.db, [hung], { instance: 'b', now: clock.now, log: quiet })
        void a.runDue()
        await vi.waitFor(() => expect(hung.runs).toBe(1))
        expect(await b.runDue()).toEqual([{ task: 'nightly', outcome: 'skipped' }])

        // Instance a dies: its connection, and the advisory lock with it, goes away.
        await sql`select pg_terminate_backend(pid) from pg_locks
          where locktype = 'advisory' and classid = 7346210 and granted`.execute(t.db)
        // The backend lets its locks go as it exits, a moment after being told to.
        await vi.waitFor(async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
            where locktype = 'advisory' and classid = 7346210`.execute(t.db)
          expect(rows[0].n).toBe(0)
        })
        clock.advance(1000)
        void b.runDue()
        await vi.waitFor(() => expect(hung.runs).toBe(2))

        const runs = await listSchedulerRuns(t.db, { task: 'nightly' })
        expect(runs).toHaveLength(1)
        expect(runs[0]).toMatchObject({
          instance: 'b',
          outcome: 'running',
          plannedAt: new Date(T0 - 12 * HOUR),
        })
        expect(runs[0].startedAt).toEqual(new Date(T0 + 1000))
        const [row] = await t.db
          .selectFrom('scheduler_runs')
          .select('catch_up')
          .where('task', '=', 'nightly')
          .execute()
        expect(row.catch_up).toBe(true)
      } finally {
        for (const release of releases) release()
        await other.close().catch(() => {})
      }
    },
  )

  it('on the embedded database, a run left running by an earlier process is taken over', async () => {
    const clock = manualClock(T0 + 5000)
    await claimSchedulerSlot(t.db, {
      task: 'left-over',
      plannedAt: new Date(T0),
      startedAt: new Date(T0 + 10),
      instance: 'previous process',
    })
    const task = countingTask('left-over', HOUR)
    const scheduler = createScheduler(t.db, [task], { now: clock.now, log: quiet, lock: 'none' })

    const [outcome] = await scheduler.runDue()

    expect(outcome.outcome).toBe('succeeded')
    expect(task.runs).toBe(1)
    const runs = await listSchedulerRuns(t.db, { task: 'left-over' })
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', startedAt: new Date(T0 + 5000) })
    expect(runs[0].instance).not.toBe('previous process')
  })

  it('a slot running under this scheduler is not taken over by its own next check', async () => {
    const clock = manualClock()
    let release!: () => void
    const slow = countingTask('mine', HOUR, () => new Promise<void>((r) => (release = r)))
    const a = createScheduler(t.db, [slow], { now: clock.now, log: quiet, lock: 'none' })
    const b = createScheduler(t.db, [slow], { now: clock.now, log: quiet, lock: 'none' })

    const first = a.runDue()
    await vi.waitFor(() => expect(slow.runs).toBe(1))
    clock.advance(1000)
    expect(await b.runDue()).toEqual([{ task: 'mine', outcome: 'skipped' }])
    release()
    await first
    expect(slow.runs).toBe(1)
  })

  it('start() runs tasks as their slots come; after stop() nothing runs any more', async () => {
    const task = countingTask('ticking', 40)
    const scheduler = createScheduler(t.db, [task], { log: quiet })

    scheduler.start()
    await vi.waitFor(() => expect(task.runs).toBeGreaterThanOrEqual(2), { timeout: 3000 })
    await scheduler.stop()
    const runsAtStop = task.runs
    await new Promise((resolve) => setTimeout(resolve, 200))

    expect(task.runs).toBe(runsAtStop)
    const runs = await listSchedulerRuns(t.db, { task: 'ticking' })
    expect(runs).toHaveLength(runsAtStop)
    expect(runs.every((r) => r.outcome === 'succeeded')).toBe(true)
  })

  it('never asks Node for a timer longer than 2^31-1 ms, whatever the interval', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const monthly = countingTask('monthly', 60 * 24 * HOUR)
    const scheduler = createScheduler(t.db, [monthly], {
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

    expect(() => createScheduler(t.db, [task])).toThrow(RangeError)
  })
})
