import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../app.js'
import { testConfig, useTestApp } from '../test-support/test-app.js'
import { processLogger } from '../observability/logger.js'
import { createServerPool } from './database.js'

// Issue 6 item 9: PostgreSQL dropping connections (restart, failover, pg_terminate_backend) must
// fail the requests that held them and nothing more. PGlite has no backends to terminate, so the
// fault tests need TEST_DATABASE_URL.
const serverUrl = process.env.TEST_DATABASE_URL

describe.skipIf(!serverUrl)('database connection faults (PostgreSQL)', () => {
  const t = useTestApp()
  let server: ServerType
  let baseUrl: string
  let databaseUrl: string
  let cookie: string

  beforeAll(async () => {
    ;({ cookie } = await t.signedInOwner())
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db)
    const url = new URL(serverUrl!)
    url.pathname = `/${rows[0].name}`
    databaseUrl = url.toString()
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
  })

  it('an error on a client a request has checked out is logged, not thrown', async () => {
    const pool = createServerPool(databaseUrl, 1)
    const warn = vi.spyOn(processLogger(), 'warn').mockImplementation(() => {})
    try {
      const client = await pool.connect()
      // Without a listener, EventEmitter throws an 'error' it emits: Node would end the process.
      expect(() => client.emit('error', new Error('terminating connection'))).not.toThrow()
      client.release()
      expect(warn.mock.calls).toContainEqual([
        { error: 'terminating connection' },
        'database connection lost',
      ])
    } finally {
      warn.mockRestore()
      await pool.end()
    }
  })

  it('terminating every backend under load fails some requests with 500/503 and never the process', async () => {
    const warn = vi.spyOn(processLogger(), 'warn').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const killer = new pg.Client({ connectionString: databaseUrl })
    await killer.connect()
    const statuses: number[] = []
    let terminated = 0
    try {
      const paths = ['/readyz', '/tenants', '/audit']
      let next = 0
      const TOTAL = 200
      const worker = async () => {
        while (next < TOTAL) {
          const path = paths[next++ % paths.length]
          // A dropped socket rejects here and fails the test: every request must get an answer.
          const res = await fetch(baseUrl + path, { headers: { cookie } })
          await res.arrayBuffer()
          statuses.push(res.status)
        }
      }
      const load = Promise.all(Array.from({ length: 10 }, worker))
      for (let round = 0; round < 5; round++) {
        await new Promise((resolve) => setTimeout(resolve, 40))
        const { rows } = await killer.query<{ pid: number }>(
          `select pg_terminate_backend(pid), pid from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid()`,
        )
        terminated += rows.length
      }
      await load

      const failed = statuses.filter((status) => status !== 200).length
      console.info(
        `connection faults: ${terminated} backends terminated, ${failed} of ${statuses.length} requests failed, 0 restarts`,
      )
      expect(terminated).toBeGreaterThan(0)
      expect(statuses).toHaveLength(TOTAL)
      expect(statuses.every((status) => [200, 500, 503].includes(status))).toBe(true)

      // The pool has replaced what it lost: the same process answers normally again.
      for (const path of paths) {
        const res = await fetch(baseUrl + path, { headers: { cookie } })
        expect(res.status, path).toBe(200)
      }
    } finally {
      await killer.end()
      warn.mockRestore()
      error.mockRestore()
    }
  })

  it('/readyz answers 503 while the database is away and 200 once it is back', async () => {
    const warn = vi.spyOn(processLogger(), 'warn').mockImplementation(() => {})
    const killer = new pg.Client({ connectionString: databaseUrl })
    await killer.connect()
    try {
      // "Away": every connection refused, as during a restart (a closed port).
      const pool = createServerPool('postgres://postgres@127.0.0.1:1/none', 1)
      const awayApp = createApp({
        config: testConfig(),
        database: { ...t.database, db: new Kysely({ dialect: new PostgresDialect({ pool }) }) },
      })
      const res = await awayApp.request('/readyz')
      expect(res.status).toBe(503)
      await pool.end()

      // The real app's connections all die at once; its next probe gets a new one.
      await killer.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()`,
      )
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) statuses.push((await fetch(baseUrl + '/readyz')).status)
      expect(statuses.every((status) => status === 200 || status === 503)).toBe(true)
      expect(statuses.at(-1)).toBe(200)
    } finally {
      await killer.end()
      warn.mockRestore()
    }
  })
})
