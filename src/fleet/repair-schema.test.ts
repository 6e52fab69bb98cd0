import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { schemaShape, type SchemaShape } from '../test-support/schema-catalog.js'
import { useTestDatabase } from '../test-support/test-app.js'
import type { SchemaFinding } from './findings.js'
import { withReferenceSchema } from './reference-schema.js'
import { repairDrift } from './repair-schema.js'

// Re-adding drift from the reference (issue 11 item 3): each injected fault is repaired until
// the catalog matches what the migrations build, audited; a refusal changes nothing.

const t = useTestDatabase()
const context = { actor: null, requestId: 'test' }
let reference: SchemaShape

beforeAll(async () => {
  reference = await withReferenceSchema(t.db, [], (ref) => schemaShape(t.db, ref))
})

/**
 * A fresh tenant with `fault` run in its schema; returns its schema name and tenant id. The
 * `;`-separated statements go one per query: on Citus a distributed schema refuses DDL sent as
 * one multi-statement string (citusdata/citus#6608, "cannot insert multiple commands into a
 * prepared statement"), and onboarding distributes every tenant schema there.
 */
async function drifted(fault: string) {
  const tenant = await createTenant(t.db)
  const schema = tenantSchemaName(tenant.slug)
  for (const statement of fault.replaceAll('{s}', schema).split(';')) {
    await sql.raw(statement).execute(t.db)
  }
  return { schema, tenantId: tenant.id }
}

async function repair(target: { schema: string; tenantId: string }, findings: SchemaFinding[]) {
  return repairDrift(t.db, context, target, findings, [])
}

describe('repairDrift', () => {
  it('re-adds a dropped nullable column and audits it with before and after', async () => {
    const target = await drifted('alter table {s}.attachments drop column file_size')
    const expected = { name: 'file_size', type: 'bigint', nullable: true, default: null }
    const finding = {
      kind: 'missing_column',
      table: 'attachments',
      column: 'file_size',
      expected,
    } as const

    const [outcome] = await repair(target, [finding])

    expect(outcome.done).toBe(true)
    expect(await schemaShape(t.db, target.schema)).toEqual(reference)
    const entry = (await auditEntries(t.db, 'fleet.repair.column')).at(-1)!
    expect(entry.target_id).toBe(target.schema)
    expect(entry.tenant_id).toBe(target.tenantId)
    expect(entry.after).toMatchObject({ state: { name: 'file_size', type: 'bigint' } })
  })

  it('refuses a NOT NULL column without default on a table with rows, and changes nothing', async () => {
    const target = await drifted(`alter table {s}.roles drop column description`)
    const before = await schemaShape(t.db, target.schema)
    const expected = { name: 'description', type: 'text', nullable: false, default: null }
    const finding = {
      kind: 'missing_column',
      table: 'roles',
      column: 'description',
      expected,
    } as const

    const [outcome] = await repair(target, [finding])

    expect(outcome.done).toBe(false)
    expect(outcome.message).toMatch(/^roles has \d+ rows and no default for description/)
    expect(await schemaShape(t.db, target.schema)).toEqual(before)
  })

  it('re-adds a NOT NULL column on an empty table', async () => {
    const target = await drifted('alter table {s}.attachments drop column content_type')
    const expected = { name: 'content_type', type: 'text', nullable: false, default: null }
    const finding = {
      kind: 'missing_column',
      table: 'attachments',
      column: 'content_type',
      expected,
    } as const
    expect((await repair(target, [finding]))[0].done).toBe(true)
    const shape = await schemaShape(t.db, target.schema)
    expect(shape.columns).toEqual(reference.columns)
  })

  it('refuses a changed column type without touching it', async () => {
    const target = await drifted(
      'alter table {s}.attachments alter column file_name type varchar(20)',
    )
    const before = await schemaShape(t.db, target.schema)
    const finding = {
      kind: 'column_type',
      table: 'attachments',
      column: 'file_name',
      expected: 'text',
      actual: 'character varying(20)',
    } as const
    const [outcome] = await repair(target, [finding])
    expect(outcome).toMatchObject({
      done: false,
      message: expect.stringContaining('may lose data'),
    })
    expect(await schemaShape(t.db, target.schema)).toEqual(before)
  })

  it('re-adds a dropped unique constraint with its index, and restores nullability', async () => {
    const target = await drifted(
      'alter table {s}.roles drop constraint roles_name_key; alter table {s}.roles alter column description drop not null',
    )
    const findings: SchemaFinding[] = [
      { kind: 'missing_index', table: 'roles', index: 'roles_name_key', definition: '' },
      { kind: 'missing_constraint', table: 'roles', constraint: 'roles_name_key', definition: '' },
      {
        kind: 'column_nullability',
        table: 'roles',
        column: 'description',
        expected: false,
        actual: true,
      },
    ]
    const outcomes = await repair(target, findings)
    expect(outcomes.map((o) => o.done)).toEqual([true, true, false])
    expect(outcomes[2].message).toBe('index roles_name_key is there now')
    expect(await schemaShape(t.db, target.schema)).toEqual(reference)
  })

  it('refuses a unique constraint that current rows violate, rolled back with the reason', async () => {
    const target = await drifted(
      "alter table {s}.roles drop constraint roles_name_key; insert into {s}.roles (name, description) values ('owner', 'copy')",
    )
    const before = await schemaShape(t.db, target.schema)
    const audits = (await auditEntries(t.db, 'fleet.repair.constraint')).length
    const finding = {
      kind: 'missing_constraint',
      table: 'roles',
      constraint: 'roles_name_key',
      definition: '',
    } as const

    const [outcome] = await repair(target, [finding])

    expect(outcome.done).toBe(false)
    expect(outcome.message).toMatch(
      /^roles_name_key cannot be added: current rows have duplicate values/,
    )
    expect(await schemaShape(t.db, target.schema)).toEqual(before)
    expect(await auditEntries(t.db, 'fleet.repair.constraint')).toHaveLength(audits)
  })

  it('rebuilds dropped tables with their foreign keys, then the foreign keys that pointed at them', async () => {
    const target = await drifted(
      'drop table {s}.roles cascade; delete from {s}.role_permissions; drop table {s}.attachments',
    )
    const outcomes = await repair(target, [...TABLE_FAULTS, FK_FINDING])
    expect(outcomes.map((o) => o.done)).toEqual([true, true, true])
    expect(await schemaShape(t.db, target.schema)).toEqual(reference)
    const entries = await auditEntries(t.db, 'fleet.repair.table')
    expect(entries.slice(-2).map((e) => e.before)).toEqual([
      { table: 'roles', present: false },
      { table: 'attachments', present: false },
    ])
  })

  it('refuses a foreign key that rows left dangling, naming the missing key', async () => {
    const target = await drifted('drop table {s}.roles cascade')
    const outcomes = await repair(target, [TABLE_FAULTS[0], FK_FINDING])
    expect(outcomes[0].done).toBe(true)
    expect(outcomes[1]).toMatchObject({ done: false })
    expect(outcomes[1].message).toMatch(
      /current rows point at rows that do not exist \(Key \(role_id\)/,
    )
    const shape = await schemaShape(t.db, target.schema)
    expect(shape.constraints).not.toContain(reference.constraints.find((c) => c.includes('fkey')))
  })
})

const TABLE_FAULTS: SchemaFinding[] = [
  { kind: 'missing_table', table: 'roles' },
  { kind: 'missing_table', table: 'attachments' },
]

const FK_FINDING: SchemaFinding = {
  kind: 'missing_constraint',
  table: 'role_permissions',
  constraint: 'role_permissions_role_id_fkey',
  definition: '',
}
