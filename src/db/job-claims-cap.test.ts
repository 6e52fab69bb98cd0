import { describe, expect, it } from 'vitest'
import { startTestRun } from '../test-support/jobs.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { claimJobItems, MAX_ITEM_ATTEMPTS, settleJobItem } from './job-claims.js'
import { findJobRun, finishJobRunIfDone } from './job-runs.js'

// An item whose handler kills the process is claimed at most MAX_ITEM_ATTEMPTS times, then
// settled failed at claim time (review finding 4 of issue 11), and the run's accounting holds.

const t = useTestDatabase()
const T0 = new Date('2026-12-01T10:00:00.000Z').getTime()
const ABANDONED = `abandoned after ${MAX_ITEM_ATTEMPTS} attempts (the process running it ended each time)`

/** Claims as a fresh process would at `second` (5 s leases), returning the claimed seqs. */
async function claimAt(second: number, runId: string) {
  const now = new Date(T0 + second * 1000)
  const claimed = await claimJobItems(t.db, {
    ...{ workerId: `process-${second}`, limit: 1, leaseSeconds: 5, now, runId },
  })
  return claimed.map((c) => c.item)
}

const itemOf = (runId: string, seq: number) =>
  t.db
    .selectFrom('job_items')
    .selectAll()
    .where('run_id', '=', runId)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow()

/** Claims item 1 MAX_ITEM_ATTEMPTS times, each process "dying" (its lease lapses). */
async function crashRepeatedly(runId: string) {
  for (let i = 0; i < MAX_ITEM_ATTEMPTS; i++)
    expect((await claimAt(i * 10, runId)).map((x) => x.seq)).toEqual([1])
  return MAX_ITEM_ATTEMPTS * 10
}

describe('the attempt cap of a job item', () => {
  it('after the cap the item is failed as abandoned and the next item is claimed; the run then ends failed', async () => {
    const run = await startTestRun(t.db, { items: 2 }, new Date(T0))
    const later = await crashRepeatedly(run.id)

    const next = await claimAt(later, run.id)

    expect(next.map((x) => x.seq)).toEqual([2])
    expect(await itemOf(run.id, 1)).toMatchObject({
      ...{ status: 'failed', attempts: MAX_ITEM_ATTEMPTS, error: ABANDONED },
      lease_expires_at: null,
    })
    const lease = { runId: run.id, seq: 2, leaseOwner: `process-${later}`, attempts: 1 }
    const now = new Date(T0 + later * 1000)
    expect(await settleJobItem(t.db, lease, { status: 'done', result: null }, now)).toBe(true)
    expect(await finishJobRunIfDone(t.db, run.id, now)).toMatchObject({
      ...{ status: 'failed', stopReason: '1 of 2 items failed' },
    })
  })

  it('an abandoned item counts toward stop after K failures: the run stops, the rest stays pending', async () => {
    const run = await startTestRun(t.db, { items: 2, stopAfterFailures: 1 }, new Date(T0))
    const later = await crashRepeatedly(run.id)

    expect(await claimAt(later, run.id)).toEqual([])

    expect(await findJobRun(t.db, run.id)).toMatchObject({
      ...{ status: 'failed', stopReason: 'stopped after 1 failure' },
    })
    expect(await itemOf(run.id, 1)).toMatchObject({ status: 'failed', error: ABANDONED })
    expect(await itemOf(run.id, 2)).toMatchObject({ status: 'pending', attempts: 0 })
  })

  it('a run whose only item is abandoned ends failed at that claim', async () => {
    const run = await startTestRun(t.db, { items: 1 }, new Date(T0))
    const later = await crashRepeatedly(run.id)

    expect(await claimAt(later, run.id)).toEqual([])

    expect(await findJobRun(t.db, run.id)).toMatchObject({
      ...{ status: 'failed', stopReason: '1 of 1 items failed' },
    })
  })
})
