import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type DatabaseHandle } from './database.js'
import { readEmbeddedEndpoint, type EmbeddedEndpoint } from './embedded-socket.js'

// The server shares its embedded database with local CLIs; PGlite has one session, so a CLI
// transaction and the app's queries must take turns, never run inside each other.

let dataDir: string
let handle: DatabaseHandle
let endpoint: EmbeddedEndpoint

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-socket-'))
  handle = await openDatabase({
    url: undefined,
    dataDir,
    shareWithClis: { publicUrl: 'http://fleet.example.test' },
  })
  await sql`create table probe (n int)`.execute(handle.db)
  endpoint = readEmbeddedEndpoint(dataDir)!
}, 60_000)

afterAll(async () => {
  await handle?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function cliClient(password = endpoint.password) {
  return new pg.Client({
    host: endpoint.host,
    port: endpoint.port,
    user: 'fleetdeck',
    database: 'postgres',
    password,
  })
}

const settled = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))])

describe('the embedded database shared with CLIs', () => {
  it('writes where it listens and the server public URL into the data dir', () => {
    expect(endpoint).toMatchObject({
      pid: process.pid,
      host: '127.0.0.1',
      publicUrl: 'http://fleet.example.test',
    })
  })

  it('refuses a client without the password of this start', async () => {
    const client = cliClient('not-the-password')
    await expect(client.connect()).rejects.toThrow('password authentication failed')
  })

  it('holds the app back while a CLI transaction is open, and lets it go at commit', async () => {
    const client = cliClient()
    await client.connect()
    try {
      await client.query('begin')
      await client.query('insert into probe values (1)')
      const appRead = sql<{ n: number }>`select count(*)::int as n from probe`.execute(handle.db)
      // The app must not run inside the CLI's transaction (it would see the uncommitted row).
      expect(await settled(appRead, 300)).toBe(false)
      await client.query('commit')
      expect((await appRead).rows[0].n).toBe(1)
      // Between transactions the app runs freely while the CLI stays connected.
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from probe`.execute(
        handle.db,
      )
      expect(rows[0].n).toBe(1)
    } finally {
      await client.end()
    }
  })

  it('rolls back the transaction of a CLI that disconnects in the middle', async () => {
    const client = cliClient()
    await client.connect()
    await client.query('begin')
    await client.query('insert into probe values (2)')
    const appRead = sql<{ n: number }>`select count(*)::int as n from probe where n = 2`.execute(
      handle.db,
    )
    // Killed, not ended: no COMMIT, no Terminate message.
    client.on('error', () => {})
    ;(
      client as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy()
    expect((await appRead).rows[0].n).toBe(0)
  })

  it('answers extended-protocol queries with parameters, as Kysely sends them', async () => {
    const client = cliClient()
    await client.connect()
    try {
      const { rows } = await client.query('select $1::int + 1 as answer', [41])
      expect(rows).toEqual([{ answer: 42 }])
      await expect(client.query('select * from no_such_table')).rejects.toThrow(/no_such_table/)
      expect((await client.query('select 1 as still')).rows).toEqual([{ still: 1 }])
    } finally {
      await client.end()
    }
  })
})
