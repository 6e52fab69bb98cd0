import { describe, expect, it } from 'vitest'
import { startTestRun } from '../test-support/jobs.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { readFleetGauges } from './fleet-gauges.js'
import { listJobRuns, readJobQueue, type RunCursor } from './job-run-lists.js'

const t = useTestDatabase()

describe('listJobRuns', () => {
  it('pages through every run once, in /jobs order, by its keyset cursor', async () => {
    const base = Date.UTC(2026, 10, 1)
    const runs = []
    for (let i = 0; i < 5; i++)
      runs.push(await startTestRun(t.db, { items: 1 }, new Date(base + i * 60_000)))
    // One failed (first), one completed (last); the running ones between, newest first.
    await t.db
      .updateTable('job_runs')
      .set({ status: 'failed' })
      .where('id', '=', runs[0].id)
      .execute()
    await t.db
      .updateTable('job_items')
      .set({ status: 'done' })
      .where('run_id', '=', runs[1].id)
      .execute()
    await t.db
      .updateTable('job_runs')
      .set({ status: 'completed' })
      .where('id', '=', runs[1].id)
      .execute()

    const seen: string[] = []
    let cursor: RunCursor | undefined
    for (;;) {
      const page = await listJobRuns(t.db, {}, cursor, 2)
      seen.push(...page.map((row) => row.run.id))
      if (page.length < 2) break
      const last = page.at(-1)!
      cursor = { rank: last.rank, createdAt: last.run.createdAt, id: last.run.id }
    }

    expect(seen).toEqual([runs[0], runs[4], runs[3], runs[2], runs[1]].map((run) => run.id))
  })

  it('filters by kind and status, with item counts', async () => {
    const run = await startTestRun(t.db, { items: 3, kind: 'purge' })

    const listed = await listJobRuns(t.db, { kind: 'purge', status: 'running' }, undefined, 10)

    expect(listed.map((row) => row.run.id)).toEqual([run.id])
    expect(listed[0].progress).toMatchObject({ total: 3, pending: 3 })
  })

  it('counts pending items and the backup queue for /system and /metrics', async () => {
    const before = await readJobQueue(t.db)
    const { pendingJobItemsByKind: pendingBefore } = await readFleetGauges(t.db, new Date())
    const backups = await startTestRun(t.db, { items: 3, kind: 'backup' })
    await startTestRun(t.db, { items: 2, kind: 'tenant_migration' })
    await t.db
      .updateTable('job_items')
      .set({ status: 'running' })
      .where('run_id', '=', backups.id)
      .where('seq', '=', 1)
      .execute()

    const after = await readJobQueue(t.db)
    const gauges = await readFleetGauges(t.db, new Date())

    expect(after.itemsPending - before.itemsPending).toBe(4)
    expect(after.backupQueueDepth - before.backupQueueDepth).toBe(3)
    const added = (kind: string) =>
      (gauges.pendingJobItemsByKind[kind] ?? 0) - (pendingBefore[kind] ?? 0)
    expect(added('backup')).toBe(2)
    expect(added('tenant_migration')).toBe(2)
  })
})
