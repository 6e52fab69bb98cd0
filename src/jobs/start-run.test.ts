import { describe, expect, it } from 'vitest'
import { auditEntries } from '../test-support/database-state.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { startScheduledRun, type JobRunSpec } from './start-run.js'

const t = useTestDatabase()

const spec: JobRunSpec = {
  kind: 'purge',
  label: 'Purge of deleted tenants',
  params: {},
  concurrency: 1,
  stopAfterFailures: null,
  items: [{ tenantId: null, target: 'fleet' }],
}

describe('startScheduledRun', () => {
  it('starts a run with no actor, audited, and none while one of its kind is open', async () => {
    const first = await startScheduledRun(t.db, spec)
    const second = await startScheduledRun(t.db, spec)

    expect(first).toMatchObject({ kind: 'purge', status: 'running', createdBy: null, total: 1 })
    expect(second).toBeUndefined()
    const starts = (await auditEntries(t.db, 'job.start')).filter((e) => e.target_id === first!.id)
    expect(starts).toHaveLength(1)
    expect(starts[0]).toMatchObject({ actor_id: null, batch_id: first!.id })

    await t.db
      .updateTable('job_runs')
      .set({ status: 'paused' })
      .where('id', '=', first!.id)
      .execute()
    expect(await startScheduledRun(t.db, spec)).toBeUndefined()
    await t.db
      .updateTable('job_runs')
      .set({ status: 'completed' })
      .where('id', '=', first!.id)
      .execute()
    expect((await startScheduledRun(t.db, spec))?.id).not.toBe(first!.id)
  })
})
