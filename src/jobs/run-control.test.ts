import { beforeAll, describe, expect, it } from 'vitest'
import { claimJobItems, settleJobItem } from '../db/job-claims.js'
import { findJobRun } from '../db/job-runs.js'
import { auditEntries } from '../test-support/database-state.js'
import { createSuperAdmin } from '../test-support/factories.js'
import {
  createEffectsTable,
  itemStatuses,
  recordingHandler,
  startTestRun,
} from '../test-support/jobs.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { cancelJobRun, pauseJobRun, resumeJobRun, retryFailedJobItems } from './run-control.js'
import { drainJobRun } from './runner.js'

const t = useTestDatabase()
const config = testConfig()
let context: { actor: { id: string; email: string } }

beforeAll(async () => {
  await createEffectsTable(t.db)
  const { admin } = await createSuperAdmin(t.db, config, { role: 'operator' })
  context = { actor: { id: admin.id, email: admin.email } }
})

const drain = (runId: string, handler = recordingHandler()) =>
  drainJobRun(t.database, config, runId, { handlers: [handler] })

async function entriesOf(action: string, runId: string) {
  return (await auditEntries(t.db, action)).filter((e) => e.target_id === runId)
}

describe('run control', () => {
  it('pause stops new claims; resume continues where it stopped; both audited', async () => {
    const run = await startTestRun(t.db, { items: 3 })

    expect(await pauseJobRun(t.db, context, run.id)).toMatchObject({ ok: true })
    const paused = await drain(run.id)
    expect(paused.status).toBe('paused')
    expect(await itemStatuses(t.db, run.id)).toEqual(['pending', 'pending', 'pending'])

    expect(await resumeJobRun(t.db, context, run.id)).toMatchObject({ ok: true })
    expect((await drain(run.id)).status).toBe('completed')
    const [pause] = await entriesOf('job.pause', run.id)
    expect(pause).toMatchObject({ actor_id: context.actor.id, batch_id: run.id })
    expect(pause.before).toMatchObject({ status: 'running', pending: 3 })
    expect(pause.after).toMatchObject({ status: 'paused', pending: 3 })
    expect(await entriesOf('job.resume', run.id)).toHaveLength(1)
  })

  it('cancel cancels pending items at once; an item in flight still settles', async () => {
    const run = await startTestRun(t.db, { items: 3 })
    const [held] = await claimJobItems(t.db, {
      workerId: 'w',
      limit: 1,
      leaseSeconds: 60,
      now: new Date(),
    })

    const result = await cancelJobRun(t.db, context, run.id)
    const lease = { runId: run.id, seq: held.item.seq, leaseOwner: 'w', attempts: 1 }
    const settled = await settleJobItem(t.db, lease, { status: 'done', result: null }, new Date())

    expect(result).toMatchObject({ ok: true, run: { status: 'canceled' } })
    expect(settled).toBe(true)
    expect(await itemStatuses(t.db, run.id)).toEqual(['done', 'canceled', 'canceled'])
    const run2 = await findJobRun(t.db, run.id)
    expect(run2).toMatchObject({
      status: 'canceled',
      stopReason: `canceled by ${context.actor.email}`,
    })
    const [entry] = await entriesOf('job.cancel', run.id)
    expect(entry.after).toMatchObject({ status: 'canceled', canceled: 2, running: 1 })
  })

  it('retry puts failed items back, attempts kept, and the run runs again', async () => {
    const run = await startTestRun(t.db, { items: 2 })
    let broken = true
    const handler = recordingHandler({
      decide: ({ item }) => {
        if (broken && item.seq === 2) throw new Error('down')
        return { status: 'done' }
      },
    })
    expect((await drain(run.id, handler)).status).toBe('failed')

    broken = false
    expect(await retryFailedJobItems(t.db, context, run.id)).toMatchObject({
      ok: true,
      run: { status: 'running' },
    })
    const ended = await drain(run.id, handler)

    expect(ended).toMatchObject({ status: 'completed', stopReason: null })
    const item = await t.db
      .selectFrom('job_items')
      .select(['status', 'attempts', 'error'])
      .where('run_id', '=', run.id)
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow()
    expect(item).toEqual({ status: 'done', attempts: 2, error: null })
    const [entry] = await entriesOf('job.retry', run.id)
    expect(entry.before).toMatchObject({ status: 'failed', failed: 1 })
    expect(entry.after).toMatchObject({ status: 'running', failed: 0, pending: 1 })
  })

  it('resume continues a run stopped after K failures', async () => {
    const run = await startTestRun(t.db, { items: 4, stopAfterFailures: 1 })
    const failFirst = recordingHandler({
      decide: ({ item }) => {
        if (item.seq === 1) throw new Error('first fails')
        return { status: 'done' }
      },
    })
    expect((await drain(run.id, failFirst)).stopReason).toBe('stopped after 1 failure')

    expect(await resumeJobRun(t.db, context, run.id)).toMatchObject({ ok: true })
    const ended = await drain(run.id, failFirst)

    expect(ended).toMatchObject({ status: 'failed', stopReason: '1 of 4 items failed' })
    expect(await itemStatuses(t.db, run.id)).toEqual(['failed', 'done', 'done', 'done'])
  })

  it('refuses with a reason and writes nothing when the run has finished', async () => {
    const run = await startTestRun(t.db, { items: 1 })
    await drain(run.id)

    for (const verb of [pauseJobRun, resumeJobRun, cancelJobRun]) {
      expect(await verb(t.db, context, run.id)).toEqual({
        ok: false,
        reason: 'the run has already finished',
      })
    }
    expect(await retryFailedJobItems(t.db, context, run.id)).toEqual({
      ok: false,
      reason: 'the run has no failed items',
    })
    expect(await pauseJobRun(t.db, context, crypto.randomUUID())).toEqual({
      ok: false,
      reason: 'no such run',
    })
    const audited = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('batch_id', '=', run.id)
      .execute()
    expect(audited.map((e) => e.action)).toEqual(['job.start'])
  })
})
