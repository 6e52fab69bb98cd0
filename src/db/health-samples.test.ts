import { beforeEach, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  foldHealthSamples,
  insertHealthSample,
  listHealthSamples,
  pruneHealthSamples,
} from './health-samples.js'

const t = useTestDatabase()

// A fold run at NOW cuts at the 5-minute bucket holding NOW − 1 h: 11:00:00 here.
const NOW = new Date('2026-12-01T12:02:30Z')
const at = (iso: string) => new Date(`2026-12-01T${iso}Z`)

async function raw(time: string, metrics: Record<string, number | null>) {
  await insertHealthSample(t.db, { takenAt: at(time), metrics, instance: 'test:1' })
}

async function rows() {
  return t.db
    .selectFrom('health_samples')
    .select(['taken_at', 'resolution_seconds', 'metrics'])
    .orderBy('resolution_seconds')
    .orderBy('taken_at')
    .execute()
}

beforeEach(async () => {
  await t.db.deleteFrom('health_samples').execute()
})

describe('downsampling health samples', () => {
  it('folds raw rows older than an hour into 5-minute rows with exact values and deletes them', async () => {
    await raw('10:50:00', { 'host.cpu_percent': 10, 'scheduler.lag_1m_seconds': 1 })
    await raw('10:50:10', { 'host.cpu_percent': 30, 'scheduler.lag_1m_seconds': 4 })
    await raw('10:54:50', { 'host.cpu_percent': 50, 'scheduler.lag_1m_seconds': 2 })
    await raw('10:55:00', { 'host.cpu_percent': 70, 'scheduler.lag_1m_seconds': null })

    const result = await foldHealthSamples(t.db, NOW)

    expect(result).toEqual({ folded: 4, written: 2 })
    expect(await rows()).toEqual([
      {
        taken_at: at('10:50:00'),
        resolution_seconds: 300,
        metrics: { 'host.cpu_percent': 30, 'scheduler.lag_1m_seconds': 4 },
      },
      {
        taken_at: at('10:55:00'),
        resolution_seconds: 300,
        metrics: { 'host.cpu_percent': 70, 'scheduler.lag_1m_seconds': null },
      },
    ])
  })

  it('leaves a bucket that still has rows under an hour old raw, whole, for the next run', async () => {
    await raw('10:59:50', { 'host.cpu_percent': 40 })
    await raw('11:00:00', { 'host.cpu_percent': 60 })
    await raw('11:02:20', { 'host.cpu_percent': 80 })
    await raw('11:05:00', { 'host.cpu_percent': 90 })

    await foldHealthSamples(t.db, NOW)
    const afterFirst = await rows()
    expect(afterFirst.map((r) => [r.taken_at.toISOString(), r.resolution_seconds])).toEqual([
      ['2026-12-01T11:00:00.000Z', 10],
      ['2026-12-01T11:02:20.000Z', 10],
      ['2026-12-01T11:05:00.000Z', 10],
      ['2026-12-01T10:55:00.000Z', 300],
    ])

    // Five minutes later the 11:00 bucket is whole and past the hour: both its rows fold.
    await foldHealthSamples(t.db, new Date(NOW.getTime() + 5 * 60_000))
    const folded = (await rows()).filter((r) => r.resolution_seconds === 300)
    expect(folded).toEqual([
      { taken_at: at('10:55:00'), resolution_seconds: 300, metrics: { 'host.cpu_percent': 40 } },
      { taken_at: at('11:00:00'), resolution_seconds: 300, metrics: { 'host.cpu_percent': 70 } },
    ])
  })

  it('is idempotent: a second run at the same time changes nothing', async () => {
    await raw('10:40:00', { 'host.cpu_percent': 12 })
    await raw('10:41:00', { 'host.cpu_percent': 14 })
    await foldHealthSamples(t.db, NOW)
    const once = await rows()

    const again = await foldHealthSamples(t.db, NOW)

    expect(again).toEqual({ folded: 0, written: 0 })
    expect(await rows()).toEqual(once)
  })

  it('deletes rows of either resolution older than 7 days, and nothing newer', async () => {
    const week = 7 * 24 * 60 * 60_000
    await raw('10:00:00', { 'host.cpu_percent': 1 })
    await insertHealthSample(t.db, {
      takenAt: new Date(NOW.getTime() - week - 1000),
      metrics: { 'host.cpu_percent': 2 },
      instance: 'old',
    })
    await foldHealthSamples(t.db, new Date(NOW.getTime() - week + 2 * 60 * 60_000))

    const deleted = await pruneHealthSamples(t.db, NOW)

    expect(deleted).toBe(1)
    expect(await listHealthSamples(t.db, 10, new Date(0))).toEqual([
      { takenAt: at('10:00:00'), metrics: { 'host.cpu_percent': 1 } },
    ])
  })
})
