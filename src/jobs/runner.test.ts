import { beforeAll, describe, expect, it } from 'vitest'
import { claimJobItems, lapseLeasesOfEndedProcess, settleJobItem } from '../db/job-claims.js'
import { findJobRun, type JobProgress } from '../db/job-runs.js'
import {
  createEffectsTable,
  effectsOf,
  itemStatuses,
  recordingHandler,
  startTestRun,
} from '../test-support/jobs.js'
import { createClock, testConfig, useTestDatabase } from '../test-support/test-app.js'
import { drainJobRun } from './runner.js'

const t = useTestDatabase()
const config = testConfig({ JOB_LEASE_SECONDS: '5' })

beforeAll(async () => {
  await createEffectsTable(t.db)
})

describe('drainJobRun', () => {
  it('on the embedded database at start, items the ended process held run at once, not after their lease', async () => {
    const run = await startTestRun(t.db, { items: 2 })
    await claimJobItems(t.db, {
      workerId: 'ended-process',
      limit: 1,
      leaseSeconds: 3600,
      now: new Date(),
    })

    const lapsed = await lapseLeasesOfEndedProcess(t.db, new Date())
    const ended = await drainJobRun(t.database, config, run.id, { handlers: [recordingHandler()] })

    expect(lapsed).toBe(1)
    expect(ended.status).toBe('completed')
    expect([...(await effectsOf(t.db, run.id)).values()]).toEqual([1, 1])
  })

  it('runs every item once, reports progress after each, and completes the run', async () => {
    const run = await startTestRun(t.db, { items: 3 })
    const seen: JobProgress[] = []
    const handlers = [recordingHandler()]

    const ended = await drainJobRun(t.database, config, run.id, {
      handlers,
      onProgress: (p) => seen.push(p),
    })

    expect(ended.status).toBe('completed')
    expect(ended.finishedAt).toBeInstanceOf(Date)
    expect(await itemStatuses(t.db, run.id)).toEqual(['done', 'done', 'done'])
    expect([...(await effectsOf(t.db, run.id)).values()]).toEqual([1, 1, 1])
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3])
    expect(seen.at(-1)).toMatchObject({ total: 3, pending: 0, running: 0, failed: 0 })
  })

  it('an item whose worker died is claimed again after its lease and applied exactly once; the dead worker cannot settle it late', async () => {
    const clock = createClock()
    const now = () => new Date(clock.now())
    const run = await startTestRun(t.db, { items: 2 })
    const [abandoned] = await claimJobItems(t.db, {
      workerId: 'killed-worker',
      limit: 1,
      leaseSeconds: 5,
      now: now(),
    })
    expect(abandoned.item).toMatchObject({ seq: 1, status: 'running', attempts: 1 })

    const early = await drainJobRun(t.database, config, run.id, {
      handlers: [recordingHandler()],
      workerId: 'second-worker',
      now,
    })
    // Concurrency 1, and the dead worker's lease still counts: nothing to claim yet.
    expect(early.status).toBe('running')
    expect(await itemStatuses(t.db, run.id)).toEqual(['running', 'pending'])

    clock.advance(6_000)
    const ended = await drainJobRun(t.database, config, run.id, {
      handlers: [recordingHandler()],
      workerId: 'second-worker',
      now,
    })
    const lease = { runId: run.id, seq: 1, leaseOwner: 'killed-worker', attempts: 1 }
    const lateSettle = await settleJobItem(t.db, lease, { status: 'failed', error: 'late' }, now())

    expect(ended.status).toBe('completed')
    expect(lateSettle).toBe(false)
    const item = await t.db
      .selectFrom('job_items')
      .selectAll()
      .where('run_id', '=', run.id)
      .where('seq', '=', 1)
      .executeTakeFirstOrThrow()
    expect(item).toMatchObject({ status: 'done', attempts: 2, lease_owner: 'second-worker' })
    expect(item.error).toBeNull()
    expect([...(await effectsOf(t.db, run.id)).entries()].sort()).toEqual([
      [1, 1],
      [2, 1],
    ])
  })

  it('a handler that throws fails only its item; the run ends failed saying how many', async () => {
    const run = await startTestRun(t.db, { items: 3 })
    const handler = recordingHandler({
      decide: ({ item }) => {
        if (item.seq === 2) throw new Error('relation "x" does not exist\n    at stack line')
        return { status: 'done' }
      },
    })

    const ended = await drainJobRun(t.database, config, run.id, { handlers: [handler] })

    expect(ended).toMatchObject({ status: 'failed', stopReason: '1 of 3 items failed' })
    expect(await itemStatuses(t.db, run.id)).toEqual(['done', 'failed', 'done'])
    const failed = await t.db
      .selectFrom('job_items')
      .select('error')
      .where('run_id', '=', run.id)
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow()
    expect(failed.error).toBe('relation "x" does not exist at stack line')
  })

  it('a skipped item records why and the run still completes', async () => {
    const run = await startTestRun(t.db, { items: 2 })
    const handler = recordingHandler({
      decide: ({ item }) =>
        item.seq === 1 ? { status: 'skipped', reason: 'tenant deleted' } : { status: 'done' },
    })

    const ended = await drainJobRun(t.database, config, run.id, { handlers: [handler] })

    expect(ended.status).toBe('completed')
    const rows = await t.db
      .selectFrom('job_items')
      .select(['status', 'result'])
      .where('run_id', '=', run.id)
      .orderBy('seq')
      .execute()
    expect(rows).toEqual([
      { status: 'skipped', result: { reason: 'tenant deleted' } },
      { status: 'done', result: null },
    ])
  })

  it('stops the run after K failures and leaves the rest pending', async () => {
    const run = await startTestRun(t.db, { items: 5, stopAfterFailures: 2 })
    const handler = recordingHandler({
      decide: () => {
        throw new Error('boom')
      },
    })

    const ended = await drainJobRun(t.database, config, run.id, { handlers: [handler] })

    expect(ended).toMatchObject({ status: 'failed', stopReason: 'stopped after 2 failures' })
    expect(await itemStatuses(t.db, run.id)).toEqual([
      'failed',
      'failed',
      'pending',
      'pending',
      'pending',
    ])
  })

  it('a kind without a handler fails its items with a message', async () => {
    const run = await startTestRun(t.db, { items: 1, kind: 'purge' })

    const ended = await drainJobRun(t.database, config, run.id, { handlers: [] })

    expect(ended.status).toBe('failed')
    expect((await findJobRun(t.db, run.id))?.stopReason).toBe('1 of 1 items failed')
  })
})
