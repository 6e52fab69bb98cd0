import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  chooseShardTransferMode,
  citusVersion,
  describeCitus,
  detectCitus,
  distributeTenantSchema,
  listCitusNodes,
  listLocalTenantSchemas,
  measureCitusSchemas,
} from './citus.js'

// The Citus module: its pure choices everywhere; "no Citus" answers on the plain server and the
// embedded database (CI); the statements themselves on a real cluster (citus-cluster.test.ts).

describe('describeCitus', () => {
  it('says "no Citus" without it', () => {
    expect(describeCitus(null)).toBe('no Citus')
  })

  it('names the version, the nodes and the sharding setting', () => {
    const info = { version: '13.2-1', schemaBasedSharding: false, nodes: 2 }
    expect(describeCitus(info)).toBe('Citus 13.2-1, 2 nodes, schema-based sharding off')
    expect(describeCitus({ ...info, nodes: 1, schemaBasedSharding: true })).toBe(
      'Citus 13.2-1, 1 node, schema-based sharding on',
    )
  })
})

describe('chooseShardTransferMode', () => {
  it('copies logically (writes go on) when wal_level is logical and every table has an identity', () => {
    expect(chooseShardTransferMode({ walLevel: 'logical', tablesWithoutReplicaIdentity: [] })).toBe(
      'force_logical',
    )
  })

  it('blocks writes when a table has no replica identity', () => {
    const facts = { walLevel: 'logical', tablesWithoutReplicaIdentity: ['events'] }
    expect(chooseShardTransferMode(facts)).toBe('block_writes')
  })

  it('blocks writes when wal_level is not logical', () => {
    const facts = { walLevel: 'replica', tablesWithoutReplicaIdentity: [] }
    expect(chooseShardTransferMode(facts)).toBe('block_writes')
  })
})

// With TEST_CITUS_WORKERS the test database itself sits on a coordinator: these then do not apply.
describe.skipIf(!!process.env.TEST_CITUS_WORKERS)('without Citus', () => {
  const t = useTestDatabase()

  it('the handle says no Citus and every function answers "no Citus"', async () => {
    await sql`create schema if not exists tenant_no_citus_probe`.execute(t.db)
    expect(t.database.citus).toBeNull()
    expect(await citusVersion(t.db)).toBeNull()
    expect(await detectCitus(t.db)).toBeNull()
    expect(await distributeTenantSchema(t.db, 'tenant_no_citus_probe')).toBe('no_citus')
    expect(await measureCitusSchemas(t.db)).toEqual(new Map())
    expect(await measureCitusSchemas(t.db, ['tenant_no_citus_probe'])).toEqual(new Map())
    expect(await listLocalTenantSchemas(t.db)).toEqual([])
    expect(await listCitusNodes(t.db)).toEqual([])
    await sql`drop schema tenant_no_citus_probe`.execute(t.db)
  })
})
