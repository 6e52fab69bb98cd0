import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { createScheduler } from '../jobs/scheduler.js'
import { useTestApp } from '../test-support/test-app.js'
import { healthTasks } from './periodic.js'

const t = useTestApp()

describe('the health tasks', () => {
  it('the scheduler stores one sample per 10-second slot and the fold task runs beside it', async () => {
    await t.db.deleteFrom('health_samples').execute()
    const tasks = healthTasks(t.database, t.config)
    expect(tasks.map((task) => [task.name, task.intervalMs])).toEqual([
      ['health-sample', 10_000],
      ['health-fold', 300_000],
    ])
    let now = Date.UTC(2026, 11, 1, 12, 0, 1)
    const scheduler = createScheduler(t.db, tasks, {
      now: () => now,
      lock: t.database.kind === 'pglite' ? 'none' : 'advisory',
      log: () => {},
    })

    const first = await scheduler.runDue()
    const again = await scheduler.runDue()
    now += 10_000
    await scheduler.runDue()
    await scheduler.stop()

    expect(first.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded'])
    expect(again.map((r) => r.outcome)).toEqual(['skipped', 'skipped'])
    const rows = await t.db
      .selectFrom('health_samples')
      .select(['resolution_seconds', 'instance', 'metrics'])
      .execute()
    expect(rows).toHaveLength(2)
    expect(rows[0].resolution_seconds).toBe(10)
    expect(rows[0].instance).toBe(`${hostname()}:${process.pid}`)
    expect(rows[0].metrics['node.rss_bytes']).toBeGreaterThan(0)
  })
})
