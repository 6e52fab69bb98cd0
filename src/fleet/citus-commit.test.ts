import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { openCitusTestDatabase } from '../db/test-database.js'

// Why no Fleetdeck transaction writes both `public` and a tenant schema (issue 13 item 4): the
// commit protocol Citus 13 uses, read from its own log of the commands it sends to workers
// (citus.log_remote_commands). One-phase means the worker commits first, in Citus's pre-commit
// callback, before the coordinator's own commit: a failure in between keeps the tenant's rows.

/** The statements of `work`, run in one transaction, and the remote commands Citus logged. */
async function remoteCommands(url: string, work: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  const logged: string[] = []
  client.on('notice', (notice) => {
    if (notice.message?.startsWith('issuing ')) logged.push(notice.message.slice(8))
  })
  await client.connect()
  try {
    await client.query(`set citus.log_remote_commands = on`)
    await client.query(`set client_min_messages = log`)
    await client.query('begin')
    for (const statement of work) await client.query(statement)
    await client.query('commit')
    return logged
  } finally {
    await client.end()
  }
}

const prepares = (commands: string[]) => commands.filter((c) => c.startsWith('PREPARE TRANSACTION'))

describe.skipIf(!process.env.TEST_CITUS_URL)('Citus commit protocol', () => {
  let handle: DatabaseHandle
  let url: string
  beforeAll(async () => {
    handle = await openCitusTestDatabase({ migrate: false })
    url = handle.url!
    await remoteCommands(url, [
      `create table public.plain (id int primary key)`,
      `create table public.managed (id int primary key)`,
      `create schema tenant_probe`,
      `select citus_schema_distribute('tenant_probe')`,
      `create table tenant_probe.log (id int primary key)`,
    ])
    await remoteCommands(url, [`select citus_add_local_table_to_metadata('public.managed')`])
  })
  afterAll(() => handle?.close())

  it('commits DML on a tenant table and a plain public table ONE-phase, worker first', async () => {
    const sent = await remoteCommands(url, [
      `insert into tenant_probe.log values (1)`,
      `insert into public.plain values (1)`,
    ])
    expect(prepares(sent)).toEqual([])
    expect(sent).toContain('COMMIT')
  })

  it('commits the same with a Citus-managed public table two-phase', async () => {
    const sent = await remoteCommands(url, [
      `insert into tenant_probe.log values (2)`,
      `insert into public.managed values (2)`,
    ])
    expect(prepares(sent)).toHaveLength(1)
    expect(sent.some((c) => c.startsWith('COMMIT PREPARED'))).toBe(true)
  })

  it('commits DDL on a distributed schema with a plain public write two-phase, on every node', async () => {
    const sent = await remoteCommands(url, [
      `alter table tenant_probe.log add column note text`,
      `insert into public.plain values (3)`,
    ])
    expect(prepares(sent)).toHaveLength(2)
  })
})
