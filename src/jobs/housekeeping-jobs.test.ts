import { describe, expect, it } from 'vitest'
import { findJobRun } from '../db/job-runs.js'
import { startTestRun } from '../test-support/jobs.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { JOB_RUNS_KEPT_DAYS, runHousekeeping } from './housekeeping.js'

const t = useTestDatabase()

const DAY = 86_400_000
const policy = { idleSeconds: 1800, absoluteSeconds: 43200 }

describe('runHousekeeping and job runs', () => {
  it('deletes runs finished more than 90 days ago with their items; keeps newer and open ones', async () => {
    const now = new Date('2026-11-30T12:00:00.000Z')
    const longAgo = new Date(now.getTime() - (JOB_RUNS_KEPT_DAYS + 1) * DAY)
    const old = await startTestRun(t.db, { items: 2 }, longAgo)
    const recent = await startTestRun(t.db, { items: 1 }, longAgo)
    const open = await startTestRun(t.db, { items: 1 }, longAgo)
    const finish = (id: string, at: Date) =>
      t.db
        .updateTable('job_runs')
        .set({ status: 'completed', finished_at: at })
        .where('id', '=', id)
        .execute()
    await finish(old.id, longAgo)
    await finish(recent.id, new Date(now.getTime() - (JOB_RUNS_KEPT_DAYS - 1) * DAY))

    const result = await runHousekeeping(t.db, policy, now)

    expect(result.jobRuns).toBe(1)
    expect(await findJobRun(t.db, old.id)).toBeUndefined()
    const items = await t.db
      .selectFrom('job_items')
      .select('run_id')
      .where('run_id', '=', old.id)
      .execute()
    expect(items).toEqual([])
    expect(await findJobRun(t.db, recent.id)).toBeDefined()
    expect(await findJobRun(t.db, open.id)).toMatchObject({ status: 'running' })
  })
})
