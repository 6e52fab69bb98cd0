import { sql } from 'kysely'
import type { ColumnDefinition } from '../fleet/findings.js'
import type { Db } from './database.js'

// The shape of many schemas at once, from the PostgreSQL catalog (issue 11 item 2): tables,
// columns, indexes and constraints of every listed schema in four statements, never one query
// per schema. Definitions name their own schema as `{schema}`, so two schemas built by the same
// migrations read the same. Kysely's own bookkeeping tables are left out: which migrations ran
// is read from their rows (listAppliedMigrationsOfSchemas), not from their shape.

/** An index or constraint: the table it belongs to and its normalised definition. */
export type CatalogObject = { table: string; definition: string }

export type SchemaShape = {
  /** table → column name → definition, in column order. */
  tables: Map<string, Map<string, ColumnDefinition>>
  /** index name → table and `pg_get_indexdef`; indexes backing a constraint are not listed. */
  indexes: Map<string, CatalogObject>
  /** `<table>.<constraint>` → table and `pg_get_constraintdef` (NOT NULL is a column's). */
  constraints: Map<string, CatalogObject & { name: string }>
}

const BOOKKEEPING = ['kysely_migration', 'kysely_migration_lock']

/** Replaces `schema.` (bare or quoted) with `{schema}.` in a catalog definition. */
export function normaliseSchemaName(definition: string, schema: string): string {
  return definition.split(`"${schema}".`).join('{schema}.').split(`${schema}.`).join('{schema}.')
}

/** Every schema named `tenant_*`, sorted. */
export async function listTenantSchemaNames(db: Db): Promise<string[]> {
  const { rows } = await sql<{ nspname: string }>`
    select nspname from pg_catalog.pg_namespace
    where starts_with(nspname, 'tenant_') order by 1`.execute(db)
  return rows.map((r) => r.nspname)
}

/**
 * The shape of each of `schemas` (absent schemas are left out of the map). Four catalog
 * statements whatever the number of schemas; at 2,000 tenant schemas they touch the whole
 * catalog, so run it on a connection of its own (DESIGN.md §3).
 */
export async function readSchemaShapes(
  db: Db,
  schemas: readonly string[],
): Promise<Map<string, SchemaShape>> {
  const shapes = new Map<string, SchemaShape>()
  const shapeOf = (schema: string) => shapes.get(schema)!
  const { rows: tables } = await sql<{ schema: string; table: string }>`
    select n.nspname as schema, c.relname as table
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any(${schemas}::text[]) and c.relkind in ('r', 'p')
      and c.relname <> all(${BOOKKEEPING}::text[])`.execute(db)
  const { rows: present } = await sql<{ schema: string }>`
    select nspname as schema from pg_catalog.pg_namespace
    where nspname = any(${schemas}::text[])`.execute(db)
  for (const { schema } of present) {
    shapes.set(schema, { tables: new Map(), indexes: new Map(), constraints: new Map() })
  }
  for (const t of tables) shapeOf(t.schema).tables.set(t.table, new Map())
  for (const c of await readColumns(db, schemas)) {
    shapeOf(c.schema)
      .tables.get(c.table)
      ?.set(c.name, {
        name: c.name,
        type: c.type,
        nullable: c.nullable,
        default: c.default === null ? null : normaliseSchemaName(c.default, c.schema),
      })
  }
  for (const i of await readIndexes(db, schemas)) {
    const definition = normaliseSchemaName(i.definition, i.schema)
    shapeOf(i.schema).indexes.set(i.name, { table: i.table, definition })
  }
  for (const k of await readConstraints(db, schemas)) {
    const definition = normaliseSchemaName(k.definition, k.schema)
    shapeOf(k.schema).constraints.set(`${k.table}.${k.name}`, { ...k, definition })
  }
  return shapes
}

type CatalogRow = { schema: string; table: string; name: string; definition: string }

async function readColumns(db: Db, schemas: readonly string[]) {
  const { rows } = await sql<{
    schema: string
    table: string
    name: string
    type: string
    nullable: boolean
    default: string | null
  }>`
    select n.nspname as schema, c.relname as table, a.attname as name,
      pg_catalog.format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable,
      pg_catalog.pg_get_expr(d.adbin, d.adrelid) as default
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_class c on c.oid = a.attrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = any(${schemas}::text[]) and c.relkind in ('r', 'p')
      and a.attnum > 0 and not a.attisdropped
    order by n.nspname, c.relname, a.attnum`.execute(db)
  return rows
}

async function readIndexes(db: Db, schemas: readonly string[]): Promise<CatalogRow[]> {
  const { rows } = await sql<CatalogRow>`
    select n.nspname as schema, t.relname as table, ic.relname as name,
      pg_catalog.pg_get_indexdef(i.indexrelid) as definition
    from pg_catalog.pg_index i
    join pg_catalog.pg_class ic on ic.oid = i.indexrelid
    join pg_catalog.pg_class t on t.oid = i.indrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
    where n.nspname = any(${schemas}::text[]) and t.relname <> all(${BOOKKEEPING}::text[])
      and not exists (select 1 from pg_catalog.pg_constraint k
        where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))`.execute(db)
  return rows
}

async function readConstraints(db: Db, schemas: readonly string[]): Promise<CatalogRow[]> {
  const { rows } = await sql<CatalogRow>`
    select n.nspname as schema, t.relname as table, k.conname as name,
      pg_catalog.pg_get_constraintdef(k.oid) as definition
    from pg_catalog.pg_constraint k
    join pg_catalog.pg_class t on t.oid = k.conrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
    where n.nspname = any(${schemas}::text[]) and k.contype <> 'n'
      and t.relname <> all(${BOOKKEEPING}::text[])`.execute(db)
  return rows
}
