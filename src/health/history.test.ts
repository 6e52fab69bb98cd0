import { beforeEach, describe, expect, it } from 'vitest'
import { insertHealthSample } from '../db/health-samples.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { readRecentSamples } from './history.js'

const t = useTestDatabase()
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s))

async function store(s: number, cpu: number) {
  await insertHealthSample(t.db, {
    takenAt: at(s),
    metrics: { 'host.cpu_percent': cpu },
    instance: 'test:1',
  })
}

const cpus = (rows: { metrics: Record<string, number | null> }[]) =>
  rows.map((r) => r.metrics['host.cpu_percent'])

beforeEach(async () => {
  await t.db.deleteFrom('health_samples').execute()
})

describe('the last hour behind the trends', () => {
  it('agrees with the table after rows are added, folded away or deleted, oldest first', async () => {
    await store(10, 1)
    await store(20, 2)
    expect(cpus(await readRecentSamples(t.db, at(0)))).toEqual([1, 2])

    await store(30, 3)
    await store(5, 0.5)
    expect(cpus(await readRecentSamples(t.db, at(0)))).toEqual([0.5, 1, 2, 3])

    await t.db.deleteFrom('health_samples').where('taken_at', '=', at(20)).execute()
    expect(cpus(await readRecentSamples(t.db, at(0)))).toEqual([0.5, 1, 3])
    expect(cpus(await readRecentSamples(t.db, at(7)))).toEqual([1, 3])
  })
})
