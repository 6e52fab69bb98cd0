import { describe, expect, it } from 'vitest'
import { claimSchedulerSlot, listSchedulerRuns } from '../db/scheduler-runs.js'
import { insertUserSignIns, USER_SIGN_INS_KEPT_DAYS } from '../db/user-sign-ins.js'
import { upsertUser } from '../db/users.js'
import { runHousekeeping, SCHEDULER_RUNS_KEPT_DAYS } from './housekeeping.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

const DAY = 86_400_000

describe('runHousekeeping', () => {
  it('deletes scheduler runs older than the kept days and keeps the recent ones', async () => {
    const now = new Date('2026-11-30T12:00:00.000Z')
    for (const ageDays of [SCHEDULER_RUNS_KEPT_DAYS + 1, SCHEDULER_RUNS_KEPT_DAYS - 1, 0]) {
      const at = new Date(now.getTime() - ageDays * DAY)
      await claimSchedulerSlot(t.db, {
        task: 'housekeeping',
        plannedAt: at,
        startedAt: at,
        instance: 'test',
      })
    }

    const result = await runHousekeeping(t.db, { idleSeconds: 1800, absoluteSeconds: 43200 }, now)

    expect(result.schedulerRuns).toBe(1)
    const kept = await listSchedulerRuns(t.db, { task: 'housekeeping' })
    expect(kept.map((r) => (now.getTime() - r.plannedAt.getTime()) / DAY)).toEqual([
      0,
      SCHEDULER_RUNS_KEPT_DAYS - 1,
    ])
  })

  it("deletes tenant users' sign-ins older than 180 days and keeps the newer ones", async () => {
    const now = new Date('2026-11-30T12:00:00.000Z')
    const userId = await upsertUser(t.db, 'signs-in@example.com', 'Signs In')
    await insertUserSignIns(
      t.db,
      [
        USER_SIGN_INS_KEPT_DAYS + 30,
        USER_SIGN_INS_KEPT_DAYS + 1,
        USER_SIGN_INS_KEPT_DAYS - 1,
        2,
      ].map((ageDays) => ({
        userId,
        tenantId: null,
        at: new Date(now.getTime() - ageDays * DAY),
        ip: '192.0.2.10',
        userAgent: 'Mozilla/5.0',
        outcome: 'succeeded' as const,
      })),
    )

    const result = await runHousekeeping(t.db, { idleSeconds: 1800, absoluteSeconds: 43200 }, now)

    expect(result.userSignIns).toBe(2)
    const kept = await t.db
      .selectFrom('user_sign_ins')
      .select('at')
      .where('user_id', '=', userId)
      .orderBy('at', 'desc')
      .execute()
    expect(kept.map((r) => (now.getTime() - r.at.getTime()) / DAY)).toEqual([
      2,
      USER_SIGN_INS_KEPT_DAYS - 1,
    ])
  })
})
