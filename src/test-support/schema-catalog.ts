import { sql } from 'kysely'
import type { Db } from '../db/database.js'

// The shape of one schema as the catalog has it, with its own name taken out, so a repaired
// tenant schema can be compared with the reference the migrations build (issue 11 item 3 tests).

export type SchemaShape = {
  tables: string[]
  columns: string[]
  indexes: string[]
  constraints: string[]
}

/** Tables, columns (name type null), index and constraint definitions of `schema`, sorted. */
export async function schemaShape(db: Db, schema: string): Promise<SchemaShape> {
  const strip = (text: string) => text.split(`${schema}.`).join('')
  const tables = await sql<{ v: string }>`
    select tablename as v from pg_tables where schemaname = ${schema} order by 1`.execute(db)
  const columns = await sql<{ v: string }>`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable as v
    from information_schema.columns where table_schema = ${schema} order by 1`.execute(db)
  const indexes = await sql<{ v: string }>`
    select indexdef as v from pg_indexes where schemaname = ${schema} order by 1`.execute(db)
  const constraints = await sql<{ v: string }>`
    select c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) as v
    from pg_constraint k join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and k.contype <> 'n' order by 1`.execute(db)
  const values = (r: { rows: { v: string }[] }) => r.rows.map((x) => strip(x.v)).sort()
  return {
    tables: values(tables),
    columns: values(columns),
    indexes: values(indexes),
    constraints: values(constraints),
  }
}
