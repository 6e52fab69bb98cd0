import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { tenantMigrationNames } from '../db/migrate.js'
import { listAppliedMigrationsOfSchemas, tenantSchemaName } from '../db/tenant-schema.js'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  REFERENCE_SCHEMA_PREFIX,
  STALE_REFERENCE_MS,
  dropStaleReferenceSchemas,
  referenceSchemaName,
  withReferenceSchema,
} from './reference-schema.js'

const t = useTestDatabase()

async function schemasLike(prefix: string): Promise<string[]> {
  const { rows } = await sql<{ nspname: string }>`
    select nspname from pg_namespace where starts_with(nspname, ${prefix})`.execute(t.db)
  return rows.map((r) => r.nspname)
}

describe('withReferenceSchema', () => {
  it('builds every tenant migration in a scratch schema and drops it afterwards', async () => {
    const seen = await withReferenceSchema(t.db, [], async (schema) => {
      expect(schema.startsWith(REFERENCE_SCHEMA_PREFIX)).toBe(true)
      const applied = await listAppliedMigrationsOfSchemas(t.db, [schema])
      const { rows } = await sql<{ tablename: string }>`
        select tablename from pg_tables where schemaname = ${schema} order by 1`.execute(t.db)
      return { schema, applied: applied.get(schema), tables: rows.map((r) => r.tablename) }
    })
    expect(seen.applied).toEqual(await tenantMigrationNames())
    expect(seen.tables).toContain('attachments')
    expect(await schemasLike(seen.schema)).toEqual([])
  })

  it('drops the scratch schema when the work throws', async () => {
    let name = ''
    await expect(
      withReferenceSchema(t.db, [], async (schema) => {
        name = schema
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await schemasLike(name)).toEqual([])
  })

  it('dropStaleReferenceSchemas removes what a dead process left an hour ago, not one in use', async () => {
    const now = new Date()
    const dead = referenceSchemaName(new Date(now.getTime() - STALE_REFERENCE_MS - 1000))
    const inUse = referenceSchemaName(new Date(now.getTime() - 60_000))
    const oldShape = REFERENCE_SCHEMA_PREFIX + 'dead00'
    for (const name of [dead, inUse, oldShape])
      await sql`create schema ${sql.id(name)}`.execute(t.db)

    expect((await dropStaleReferenceSchemas(t.db, now)).sort()).toEqual([dead, oldShape].sort())
    expect(await schemasLike(REFERENCE_SCHEMA_PREFIX)).toEqual([inUse])
    await sql`drop schema ${sql.id(inUse)}`.execute(t.db)
  })
})

describe('listAppliedMigrationsOfSchemas', () => {
  it('reads many schemas in batches and gives [] for a schema without migrations', async () => {
    const a = await createTenant(t.db)
    const b = await createTenant(t.db)
    await sql`create schema tenant_bare_one`.execute(t.db)
    const schemas = [tenantSchemaName(a.slug), tenantSchemaName(b.slug), 'tenant_bare_one']
    const applied = await listAppliedMigrationsOfSchemas(t.db, schemas, 1)
    const all = await tenantMigrationNames()
    expect(applied.get(schemas[0])).toEqual(all)
    expect(applied.get(schemas[1])).toEqual(all)
    expect(applied.get('tenant_bare_one')).toEqual([])
  })
})
