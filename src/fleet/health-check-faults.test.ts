import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { tenantMigrationNames } from '../db/migrate.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { HEALTH_TEST_DIRS, healthy, tenantWith } from './health-check-fixtures.js'
import { checkTenantSchemas, type HealthCheckResult } from './health-check.js'

// Each fault issue 11 item 7 names, injected in a tenant of its own; one check finds them all.

const t = useTestDatabase()
const faults = {
  droppedTable: (s: string) => `drop table ${s}.attachments`,
  droppedColumn: (s: string) => `alter table ${s}.attachments drop column file_size`,
  changedType: (s: string) =>
    `alter table ${s}.attachments alter column file_name type varchar(100)`,
  nullability: (s: string) =>
    `alter table ${s}.attachments alter column content_type drop not null`,
  missingIndex: (s: string) => `drop index ${s}.attachments_created_idx`,
  missingConstraint: (s: string) => `alter table ${s}.roles drop constraint roles_name_key`,
  missingSchema: (s: string) => `drop schema ${s} cascade`,
  extraTable: (s: string) => `create table ${s}.scratch (id int)`,
}
type Fault = keyof typeof faults | 'healthy' | 'stuck' | 'deleted'
let schemas: Record<Fault, string>
let ids: Record<Fault, string>
let check: HealthCheckResult

beforeAll(async () => {
  const made = {} as Record<Fault, { id: string; schema: string }>
  for (const [name, fault] of Object.entries(faults)) {
    made[name as Fault] = await tenantWith(t.db, fault)
  }
  made.healthy = await tenantWith(t.db, healthy)
  made.stuck = await tenantWith(t.db, faults.droppedColumn, { status: 'failed' })
  made.deleted = await tenantWith(t.db, healthy, { status: 'deleted' })
  await sql`create schema tenant_orphan_one`.execute(t.db)
  schemas = Object.fromEntries(Object.entries(made).map(([k, v]) => [k, v.schema])) as never
  ids = Object.fromEntries(Object.entries(made).map(([k, v]) => [k, v.id])) as never
  check = await checkTenantSchemas(t.db, HEALTH_TEST_DIRS)
})

const resultOf = (fault: Fault) => check.results.get(schemas[fault])

describe('checkTenantSchemas finds each injected fault', () => {
  it('a dropped table', () => {
    expect(resultOf('droppedTable')).toMatchObject({
      health: 'drift',
      findings: [{ kind: 'missing_table', table: 'attachments' }],
    })
  })

  it('a dropped column, with its definition for repair', () => {
    expect(resultOf('droppedColumn')?.findings).toEqual([
      {
        kind: 'missing_column',
        table: 'attachments',
        column: 'file_size',
        expected: { name: 'file_size', type: 'bigint', nullable: true, default: null },
      },
    ])
  })

  it('a changed type and a changed nullability', () => {
    expect(resultOf('changedType')?.findings).toEqual([
      {
        kind: 'column_type',
        table: 'attachments',
        column: 'file_name',
        expected: 'text',
        actual: 'character varying(100)',
      },
    ])
    expect(resultOf('nullability')?.findings).toEqual([
      {
        kind: 'column_nullability',
        table: 'attachments',
        column: 'content_type',
        expected: false,
        actual: true,
      },
    ])
  })

  it('a missing index and a missing constraint, their definitions schema-neutral', () => {
    expect(resultOf('missingIndex')?.findings).toEqual([
      {
        kind: 'missing_index',
        table: 'attachments',
        index: 'attachments_created_idx',
        definition:
          'CREATE INDEX attachments_created_idx ON {schema}.attachments USING btree (created_at)',
      },
    ])
    expect(resultOf('missingConstraint')?.findings).toEqual([
      {
        kind: 'missing_constraint',
        table: 'roles',
        constraint: 'roles_name_key',
        definition: 'UNIQUE (name)',
      },
    ])
  })

  it('a table the migrations do not make', () => {
    expect(resultOf('extraTable')).toMatchObject({
      health: 'drift',
      findings: [{ kind: 'extra_table', table: 'scratch' }],
    })
  })

  it('a missing schema, every migration pending', async () => {
    expect(resultOf('missingSchema')).toEqual({
      tenantId: ids.missingSchema,
      slug: expect.any(String),
      health: 'missing',
      pending: await tenantMigrationNames(HEALTH_TEST_DIRS),
      findings: [],
    })
  })

  it('an orphan schema with no tenant row', () => {
    expect(check.results.get('tenant_orphan_one')).toMatchObject({
      tenantId: null,
      slug: null,
      health: 'orphan',
    })
  })

  it('a stuck tenant, its schema findings still reported', () => {
    expect(resultOf('stuck')).toMatchObject({
      health: 'stuck',
      findings: [{ kind: 'missing_column', column: 'file_size' }],
    })
  })

  it('not a deleted tenant, nor its schema as an orphan; the healthy one as healthy', () => {
    expect(resultOf('deleted')).toBeUndefined()
    expect(resultOf('healthy')).toMatchObject({ health: 'healthy', findings: [], pending: [] })
    expect(check.summary).toMatchObject({
      scope: 'fleet',
      schemas: 11,
      tenants: 10,
      healthy: 1,
      drift: 7,
      missing: 1,
      stuck: 1,
      orphan: 1,
      behind: 0,
    })
  })
})
