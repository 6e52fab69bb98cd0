import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { measureSchemaSizes } from '../db/tenant-schema.js'
import { openCitusTestDatabase } from '../db/test-database.js'
import {
  chooseShardTransferMode,
  detectCitus,
  distributeTenantSchema,
  isSchemaDistributed,
  listCitusNodes,
  listLocalTenantSchemas,
  measureCitusSchemas,
  moveTenantSchema,
  readShardTransferFacts,
} from './citus.js'

// Every statement of src/fleet/citus.ts on a real coordinator with two workers (a database of
// its own, dropped from every node afterwards). Runs only with TEST_CITUS_URL: CI has no Citus.

describe.skipIf(!process.env.TEST_CITUS_URL)('on a Citus cluster', () => {
  let handle: DatabaseHandle
  const db = () => handle.db

  beforeAll(async () => {
    handle = await openCitusTestDatabase({ migrate: false })
    await sql`create schema tenant_vis_big`.execute(db())
    await sql`create table tenant_vis_big.items (id int primary key, body text)`.execute(db())
    await sql`insert into tenant_vis_big.items
      select g, repeat('x', 1000) from generate_series(1, 2000) g`.execute(db())
    await sql`create table tenant_vis_big.events (at timestamptz)`.execute(db())
    await sql`create schema tenant_vis_local`.execute(db())
    await sql`create table tenant_vis_local.items (id int primary key)`.execute(db())
  })
  afterAll(async () => {
    await handle?.close()
  })

  it('the handle detected Citus once at open: version, nodes that hold shards, sharding off', async () => {
    expect(handle.citus).toEqual(await detectCitus(db()))
    expect(handle.citus?.version).toMatch(/^\d+\.\d+-\d+$/)
    expect(handle.citus?.nodes).toBe(2)
  })

  it('distributes a local schema once; the next call answers "already"', async () => {
    expect(await isSchemaDistributed(db(), 'tenant_vis_big')).toBe(false)
    expect(await distributeTenantSchema(db(), 'tenant_vis_big')).toBe('distributed')
    expect(await distributeTenantSchema(db(), 'tenant_vis_big')).toBe('already')
    expect(await isSchemaDistributed(db(), 'tenant_vis_big')).toBe(true)
    expect(await listLocalTenantSchemas(db())).toEqual(['tenant_vis_local'])
    // The coordinator keeps no dead copy of the rows it handed to the worker.
    const local = await measureSchemaSizes(db(), ['tenant_vis_big'])
    expect(local.get('tenant_vis_big')).toBeLessThan(100_000)
  })

  it('measures a distributed schema on its worker, one row per schema; a local one is absent', async () => {
    const sizes = await measureCitusSchemas(db())
    const big = sizes.get('tenant_vis_big')
    expect([...sizes.keys()]).toEqual(['tenant_vis_big'])
    expect(big!.bytes).toBeGreaterThan(2000 * 1000)
    expect(['127.0.0.1:5434', '127.0.0.1:5435']).toContain(big!.node)
    expect(await measureCitusSchemas(db(), ['tenant_vis_local'])).toEqual(new Map())
    const nodes = await listCitusNodes(db())
    expect(nodes.map((n) => n.node).sort()).toEqual(['127.0.0.1:5434', '127.0.0.1:5435'])
    expect(nodes[0]).toMatchObject({ node: big!.node, bytes: big!.bytes, schemas: 1 })
    expect(nodes[1]).toMatchObject({ bytes: 0, schemas: 0 })
  })

  it('moves the schema to the other worker in the mode its tables allow', async () => {
    const facts = await readShardTransferFacts(db(), 'tenant_vis_big')
    expect(facts).toEqual({ walLevel: 'logical', tablesWithoutReplicaIdentity: ['events'] })
    const from = (await measureCitusSchemas(db(), ['tenant_vis_big'])).get('tenant_vis_big')!
    const to = (await listCitusNodes(db())).find((n) => n.node !== from.node)!
    await moveTenantSchema(db(), 'tenant_vis_big', to, chooseShardTransferMode(facts))
    const after = (await measureCitusSchemas(db(), ['tenant_vis_big'])).get('tenant_vis_big')!
    expect(after.node).toBe(to.node)
    const rows = await sql<{ n: number }>`select count(*)::int as n from tenant_vis_big.items`
    expect((await rows.execute(db())).rows[0]!.n).toBe(2000)
  })

  it('moves a schema whose tables all have a key logically, writes open', async () => {
    expect(await distributeTenantSchema(db(), 'tenant_vis_local')).toBe('distributed')
    const facts = await readShardTransferFacts(db(), 'tenant_vis_local')
    expect(chooseShardTransferMode(facts)).toBe('force_logical')
    const from = (await measureCitusSchemas(db())).get('tenant_vis_local')!
    const to = (await listCitusNodes(db())).find((n) => n.node !== from.node)!
    await moveTenantSchema(db(), 'tenant_vis_local', to, 'force_logical')
    expect((await measureCitusSchemas(db())).get('tenant_vis_local')?.node).toBe(to.node)
    expect(await listLocalTenantSchemas(db())).toEqual([])
  })
})
