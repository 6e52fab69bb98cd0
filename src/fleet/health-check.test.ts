import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { tenantMigrationNames } from '../db/migrate.js'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  CHECKSUM_MIGRATION,
  HEALTH_TEST_DIRS,
  healthy,
  tenantWith,
} from './health-check-fixtures.js'
import { checkTenantSchemas } from './health-check.js'
import { REFERENCE_SCHEMA_PREFIX } from './reference-schema.js'

describe('checkTenantSchemas on a healthy fleet', () => {
  const t = useTestDatabase()

  it('finds nothing in tenants built with the example app and extra migration folders', async () => {
    const tenants = [
      await tenantWith(t.db, healthy),
      await tenantWith(t.db, healthy),
      await tenantWith(t.db, healthy, { status: 'suspended' }),
    ]

    const { results, summary } = await checkTenantSchemas(t.db, HEALTH_TEST_DIRS)

    expect(summary).toMatchObject({ scope: 'fleet', schemas: 3, tenants: 3, healthy: 3 })
    for (const tenant of tenants) {
      expect(results.get(tenant.schema)).toEqual({
        tenantId: tenant.id,
        slug: tenant.slug,
        health: 'healthy',
        pending: [],
        findings: [],
      })
    }
  })

  it('reads behind, not drift, when the configured folders add migrations a tenant lacks', async () => {
    const older = await tenantWith(t.db, healthy, { dirs: [] })

    const { results } = await checkTenantSchemas(t.db, HEALTH_TEST_DIRS)

    const all = await tenantMigrationNames(HEALTH_TEST_DIRS)
    expect(results.get(older.schema)).toMatchObject({
      health: 'behind',
      pending: all.slice(-3),
      findings: [],
    })
  })

  it('leaves no reference schema behind, and drops one a dead process left', async () => {
    await sql`create schema ${sql.id(REFERENCE_SCHEMA_PREFIX + 'dead01')}`.execute(t.db)

    await checkTenantSchemas(t.db, HEALTH_TEST_DIRS)

    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_namespace
      where starts_with(nspname, ${REFERENCE_SCHEMA_PREFIX})`.execute(t.db)
    expect(rows[0].n).toBe(0)
  })

  it('a schema behind on an ADD COLUMN migration reads behind; a drift in what it applied reads drift', async () => {
    const undo = (schema: string) =>
      `drop index ${schema}.attachments_created_idx;
       alter table ${schema}.attachments drop column checksum;
       delete from ${schema}.kysely_migration where name = '${CHECKSUM_MIGRATION}'`
    const behind = await tenantWith(t.db, undo)
    const both = await tenantWith(
      t.db,
      (s) => `${undo(s)}; alter table ${s}.notes drop column body`,
    )

    const { results } = await checkTenantSchemas(t.db, HEALTH_TEST_DIRS)

    expect(results.get(behind.schema)).toMatchObject({
      health: 'behind',
      pending: [CHECKSUM_MIGRATION],
      findings: [],
    })
    expect(results.get(both.schema)).toMatchObject({
      health: 'drift',
      pending: [CHECKSUM_MIGRATION],
      findings: [{ kind: 'missing_column', table: 'notes', column: 'body' }],
    })
  })
})
