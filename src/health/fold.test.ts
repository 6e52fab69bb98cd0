import { describe, expect, it } from 'vitest'
import { bucketStart, foldSamples } from './fold.js'

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0)
const at = (seconds: number) => new Date(T0 + seconds * 1000)

describe('folding 10-second samples into 5-minute rows', () => {
  it('averages mean metrics, keeps the worst of max metrics and the latest of last metrics', () => {
    const rows = [
      {
        takenAt: at(0),
        metrics: {
          'host.cpu_percent': 10,
          'pg.longest_query_seconds': 1,
          'pg.database_bytes': 100,
        },
      },
      {
        takenAt: at(10),
        metrics: {
          'host.cpu_percent': 20,
          'pg.longest_query_seconds': 7,
          'pg.database_bytes': 300,
        },
      },
      {
        takenAt: at(290),
        metrics: {
          'host.cpu_percent': 60,
          'pg.longest_query_seconds': 2,
          'pg.database_bytes': 200,
        },
      },
    ]
    expect(foldSamples(rows)).toEqual([
      {
        takenAt: at(0),
        metrics: {
          'host.cpu_percent': 30,
          'pg.longest_query_seconds': 7,
          'pg.database_bytes': 200,
        },
      },
    ])
  })

  it('splits at the 5-minute boundary and stamps each row with its bucket start', () => {
    const rows = [
      { takenAt: at(299), metrics: { 'host.cpu_percent': 40 } },
      { takenAt: at(300), metrics: { 'host.cpu_percent': 80 } },
      { takenAt: at(0), metrics: { 'host.cpu_percent': 20 } },
    ]
    expect(foldSamples(rows)).toEqual([
      { takenAt: at(0), metrics: { 'host.cpu_percent': 30 } },
      { takenAt: at(300), metrics: { 'host.cpu_percent': 80 } },
    ])
    expect(bucketStart(T0 + 299_999)).toBe(T0)
  })

  it('skips nulls, and a metric null throughout stays null rather than 0', () => {
    const rows = [
      { takenAt: at(0), metrics: { 'host.cpu_percent': null, 'pg.tps': null } },
      { takenAt: at(10), metrics: { 'host.cpu_percent': 50, 'pg.tps': null } },
    ]
    expect(foldSamples(rows)[0].metrics).toEqual({ 'host.cpu_percent': 50, 'pg.tps': null })
  })
})
