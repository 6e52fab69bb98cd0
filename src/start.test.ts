import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { DatabaseHandle } from './db/database.js'
import { openTestDatabase } from './db/test-database.js'
import { processLogger } from './observability/logger.js'
import { describeDatabase, startFleetdeck } from './start.js'
import { testConfig } from './test-support/test-app.js'

// The start-up line names the database Fleetdeck runs on, Citus included (issue 13 item 1).

describe('describeDatabase', () => {
  const config = { dataDir: '/var/lib/fleetdeck' }

  it('names the embedded database and its directory', () => {
    expect(describeDatabase({ kind: 'pglite', citus: null }, config)).toBe(
      'embedded database in /var/lib/fleetdeck',
    )
  })

  it('says PostgreSQL on a plain server, and Citus with its nodes and setting on a coordinator', () => {
    expect(describeDatabase({ kind: 'postgres', citus: null }, config)).toBe('PostgreSQL')
    const citus = { version: '13.2-1', schemaBasedSharding: false, nodes: 2 }
    expect(describeDatabase({ kind: 'postgres', citus }, config)).toBe(
      'PostgreSQL, Citus 13.2-1, 2 nodes, schema-based sharding off',
    )
  })
})

describe('startFleetdeck', () => {
  let database: DatabaseHandle
  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(async () => {
    await database?.close()
  })

  it('prints the listening line with the database it detected at open', async () => {
    const lines: string[] = []
    const config = testConfig({ PORT: '0', HOST: '127.0.0.1' })
    const info = vi.spyOn(processLogger(config.logLevel), 'info')
    const running = await startFleetdeck(config, database, { log: (line) => lines.push(line) })
    await running.stop()
    const started = info.mock.calls.find((call) => call[1] === 'started')
    info.mockRestore()
    expect(started?.[0]).toMatchObject({ database: database.kind, citus: database.citus })
    const listening = lines.find((line) => line.startsWith('Fleetdeck listening on'))
    expect(listening).toContain(`(${describeDatabase(database, config)})`)
    expect(listening).toContain(
      database.citus ? 'Citus' : database.kind === 'pglite' ? 'embedded' : 'PostgreSQL)',
    )
  })
})
