import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { claimSchedulerSlot, listSchedulerRuns } from '../db/scheduler-runs.js'
import { openTestDatabase } from '../db/test-database.js'
import { runHousekeeping, SCHEDULER_RUNS_KEPT_DAYS } from './housekeeping.js'

let handle: DatabaseHandle

beforeAll(async () => {
  handle = await openTestDatabase()
})

afterAll(() => handle?.close())

const DAY = 86_400_000

describe('runHousekeeping', () => {
  it('deletes scheduler runs older than the kept days and keeps the recent ones', async () => {
    const now = new Date('2026-11-30T12:00:00.000Z')
    for (const ageDays of [SCHEDULER_RUNS_KEPT_DAYS + 1, SCHEDULER_RUNS_KEPT_DAYS - 1, 0]) {
      const at = new Date(now.getTime() - ageDays * DAY)
      await claimSchedulerSlot(handle.db, {
        task: 'housekeeping',
        plannedAt: at,
        startedAt: at,
        instance: 'test',
      })
    }

    const result = await runHousekeeping(
      handle.db,
      { idleSeconds: 1800, absoluteSeconds: 43200 },
      now,
    )

    expect(result.schedulerRuns).toBe(1)
    const kept = await listSchedulerRuns(handle.db, { task: 'housekeeping' })
    expect(kept.map((r) => (now.getTime() - r.plannedAt.getTime()) / DAY)).toEqual([
      0,
      SCHEDULER_RUNS_KEPT_DAYS - 1,
    ])
  })
})
