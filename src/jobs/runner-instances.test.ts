import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/database.js'
import { findJobRun, type JobRun } from '../db/job-runs.js'
import {
  createEffectsTable,
  effectsOf,
  itemStatuses,
  openSecondInstance,
  recordingHandler,
  startTestRun,
} from '../test-support/jobs.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { createJobRunner } from './runner.js'

const t = useTestDatabase()

beforeAll(async () => {
  await createEffectsTable(t.db)
})

// A run a test leaves open must not feed the next test's runners.
afterEach(async () => {
  await t.db
    .updateTable('job_runs')
    .set({ status: 'canceled' })
    .where('status', '=', 'running')
    .execute()
})

async function untilFinished(db: Db, runId: string, timeoutMs = 15_000): Promise<JobRun> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = (await findJobRun(db, runId))!
    if (run.status !== 'running' || Date.now() > deadline) return run
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('createJobRunner', () => {
  it('runs the items of every running run, at most JOB_WORKERS at once, and stops after those in flight', async () => {
    const config = testConfig({ JOB_WORKERS: '2' })
    const handler = recordingHandler({ delayMs: 20 })
    const first = await startTestRun(t.db, { items: 4, concurrency: 4 })
    const second = await startTestRun(t.db, { items: 3, concurrency: 2 })
    const runner = createJobRunner({
      database: t.database,
      config,
      handlers: [handler],
      pollMs: 20,
    })

    runner.start()
    const ended = [await untilFinished(t.db, first.id), await untilFinished(t.db, second.id)]
    await runner.stop()

    expect(ended.map((run) => run.status)).toEqual(['completed', 'completed'])
    expect(handler.maxInFlight).toBe(2)
    expect([...(await effectsOf(t.db, first.id)).values()]).toEqual([1, 1, 1, 1])
    expect([...(await effectsOf(t.db, second.id)).values()]).toEqual([1, 1, 1])
  })

  it('after stop() no new item starts', async () => {
    const config = testConfig({ JOB_WORKERS: '1' })
    const run = await startTestRun(t.db, { items: 3 })
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const handler = recordingHandler({ decide: () => gate.then(() => ({ status: 'done' })) })
    const runner = createJobRunner({
      database: t.database,
      config,
      handlers: [handler],
      pollMs: 20,
    })

    runner.start()
    while (handler.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    const stopped = runner.stop()
    release()
    await stopped

    expect(await itemStatuses(t.db, run.id)).toEqual(['done', 'pending', 'pending'])
  })
})

describe.runIf(process.env.TEST_DATABASE_URL)('two instances on one PostgreSQL', () => {
  async function runOnTwoInstances(workers: number, items: number, concurrency: number) {
    const other = await openSecondInstance(t.db)
    const config = testConfig({ JOB_WORKERS: String(workers) })
    const handler = recordingHandler({ delayMs: 30 })
    const run = await startTestRun(t.db, { items, concurrency })
    const runners = [t.database, other].map((database, i) =>
      createJobRunner({ database, config, handlers: [handler], workerId: `i${i}`, pollMs: 10 }),
    )
    for (const runner of runners) runner.start()
    const ended = await untilFinished(t.db, run.id)
    await Promise.all(runners.map((runner) => runner.stop()))
    await other.close()
    return { run: ended, handler }
  }

  it('share a run, and no item runs twice', async () => {
    // One worker each: reaching the run's concurrency of 2 takes both instances.
    const { run, handler } = await runOnTwoInstances(1, 12, 2)

    expect(run.status).toBe('completed')
    expect([...(await effectsOf(t.db, run.id)).values()]).toEqual(Array(12).fill(1))
    expect(handler.maxInFlight).toBe(2)
    const owners = await t.db
      .selectFrom('job_items')
      .select('lease_owner')
      .distinct()
      .where('run_id', '=', run.id)
      .execute()
    expect(owners.map((o) => o.lease_owner).sort()).toEqual(['i0', 'i1'])
  })

  it('never exceed the run’s concurrency together, with workers to spare', async () => {
    const { run, handler } = await runOnTwoInstances(3, 12, 2)

    expect(run.status).toBe('completed')
    expect([...(await effectsOf(t.db, run.id)).values()]).toEqual(Array(12).fill(1))
    expect(handler.maxInFlight).toBe(2)
  })
})
