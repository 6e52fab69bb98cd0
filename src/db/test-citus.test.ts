import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectCitus, isSchemaDistributed, measureCitusSchemas } from '../fleet/citus.js'
import type { DatabaseHandle } from './database.js'
import {
  nodeOfUrl,
  parseCitusTestEnv,
  parseNodeAddress,
  readClusterWorkers,
  urlFor,
} from './test-citus.js'
import { openCitusTestDatabase } from './test-database.js'

describe('Citus test variables', () => {
  it('are off unless TEST_CITUS_WORKERS is set', () => {
    expect(parseCitusTestEnv({})).toBeNull()
    expect(parseCitusTestEnv({ TEST_CITUS_WORKERS: '  ', TEST_CITUS_PUBLIC: 'managed' })).toBeNull()
  })

  it('read the workers in order and the public-tables mode', () => {
    expect(parseCitusTestEnv({ TEST_CITUS_WORKERS: '127.0.0.1:5434, db-2.internal:5435' })).toEqual(
      {
        workers: [
          { host: '127.0.0.1', port: 5434 },
          { host: 'db-2.internal', port: 5435 },
        ],
        publicManaged: false,
      },
    )
    const managed = parseCitusTestEnv({ TEST_CITUS_WORKERS: 'w:1', TEST_CITUS_PUBLIC: 'managed' })
    expect(managed?.publicManaged).toBe(true)
  })

  it('refuse a malformed worker or mode with the variable named', () => {
    for (const bad of ['127.0.0.1', ':5434', 'h:0', 'h:70000', 'h:54x', 'h:1,,h:2']) {
      expect(() => parseCitusTestEnv({ TEST_CITUS_WORKERS: bad })).toThrow(/TEST_CITUS_WORKERS/)
    }
    expect(() =>
      parseCitusTestEnv({ TEST_CITUS_WORKERS: 'h:1', TEST_CITUS_PUBLIC: 'yes' }),
    ).toThrow(/TEST_CITUS_PUBLIC/)
    expect(parseNodeAddress('localhost:65535')).toEqual({ host: 'localhost', port: 65535 })
  })

  it('address each node of the cluster from the coordinator URL', () => {
    const coordinator = 'postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable'
    expect(nodeOfUrl(coordinator)).toEqual({ host: '127.0.0.1', port: 5433 })
    expect(nodeOfUrl('postgres://u@db/x')).toEqual({ host: 'db', port: 5432 })
    expect(urlFor(coordinator, { host: '127.0.0.1', port: 5435 }, 'fleetdeck_test_ab')).toBe(
      'postgres://postgres@127.0.0.1:5435/fleetdeck_test_ab?sslmode=disable',
    )
  })
})

describe.skipIf(!process.env.TEST_CITUS_URL)('a Citus test database', () => {
  let handle: DatabaseHandle
  let name: string
  beforeAll(async () => {
    handle = await openCitusTestDatabase({ publicManaged: true })
    name = (await sql<{ db: string }>`select current_database() as db`.execute(handle.db)).rows[0]!
      .db
  })
  afterAll(() => handle?.close())

  it('sees Citus with both workers at open and distributes a schema onto a worker', async () => {
    expect(await detectCitus(handle.db)).toMatchObject({ nodes: 2 })
    await sql`create schema tenant_probe`.execute(handle.db)
    await sql`select citus_schema_distribute('tenant_probe')`.execute(handle.db)
    await sql`create table tenant_probe.t (id int primary key)`.execute(handle.db)
    expect(await isSchemaDistributed(handle.db, 'tenant_probe')).toBe(true)
    const placed = await measureCitusSchemas(handle.db)
    expect(placed.get('tenant_probe')?.node).toMatch(/:543[45]$/)
  })

  it('puts every public table under Citus in the managed mode', async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_class c where c.relnamespace = 'public'::regnamespace
        and c.relkind in ('r', 'p') and not c.relispartition
        and not exists (select 1 from pg_dist_partition p where p.logicalrelid = c.oid)`.execute(
      handle.db,
    )
    expect(rows[0]!.n).toBe(0)
  })

  it('is dropped from every node on close', async () => {
    await handle.close()
    const coordinatorUrl = process.env.TEST_CITUS_URL!
    const nodes = [nodeOfUrl(coordinatorUrl), ...(await readClusterWorkers(coordinatorUrl))]
    for (const node of nodes) {
      const client = new pg.Client({ connectionString: urlFor(coordinatorUrl, node, 'postgres') })
      await client.connect()
      const found = await client.query('select 1 from pg_database where datname = $1', [name])
      await client.end()
      expect(found.rowCount).toBe(0)
    }
    handle = undefined as unknown as DatabaseHandle
  })
})
