import { describe, expect, it } from 'vitest'
import { cpuPercent, diskUsage, memoryPercent } from './collect-host.js'
import { dataDirectoryOf } from './sampler.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { testConfig } from '../test-support/test-app.js'

const t = useTestDatabase()

describe('host metrics', () => {
  it('CPU busy is the busy share of the time between two readings, and null without an earlier one', () => {
    expect(cpuPercent({ busy: 100, total: 1000 }, { busy: 400, total: 2000 })).toBe(30)
    expect(cpuPercent(undefined, { busy: 400, total: 2000 })).toBeNull()
    expect(cpuPercent({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBeNull()
  })

  it('memory in use counts available memory (page cache included) as free', () => {
    expect(memoryPercent({ total: 8 * 2 ** 30, available: 6 * 2 ** 30 })).toBe(25)
    const real = memoryPercent()
    expect(real).toBeGreaterThan(0)
    expect(real).toBeLessThan(100)
  })

  it('reads the disk holding a directory, and nothing for a path that does not exist', () => {
    const disk = diskUsage('/tmp')!
    expect(disk.sizeBytes).toBeGreaterThan(0)
    expect(disk.usedBytes).toBeGreaterThan(0)
    expect(disk.usedBytes).toBeLessThanOrEqual(disk.sizeBytes)
    expect(disk.percent).toBeGreaterThan(0)
    expect(disk.percent).toBeLessThanOrEqual(100)
    expect(diskUsage('/no/such/fleetdeck/dir')).toBeUndefined()
    expect(diskUsage(undefined)).toBeUndefined()
  })

  it('finds the data directory: PGlite’s own, or the local server’s data_directory, never a remote one', async () => {
    const config = testConfig()
    if (t.database.kind === 'pglite') {
      expect(await dataDirectoryOf(t.database, { ...config, dataDir: '/srv/fleetdeck' })).toBe(
        '/srv/fleetdeck',
      )
      expect(
        await dataDirectoryOf(t.database, { ...config, dataDir: 'memory://x' }),
      ).toBeUndefined()
    } else {
      const local = process.env.TEST_DATABASE_URL!
      expect(await dataDirectoryOf(t.database, { ...config, databaseUrl: local })).toMatch(/^\//)
      const remote = local.replace('127.0.0.1', 'db.example.internal')
      expect(await dataDirectoryOf(t.database, { ...config, databaseUrl: remote })).toBeUndefined()
    }
  })
})
