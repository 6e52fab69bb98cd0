import { sql } from 'kysely'
import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { ColumnDefinition } from './findings.js'

/**
 * An audit context that may say where a repair came from when no request carries it: the CLI
 * passes `via: 'cli'` (with actor null), recorded in each entry's `after`.
 */
export type RepairContext = AuditContext & { via?: 'cli' }

/** `after` with the context's `via`, when set. */
export function withVia(after: unknown, context: RepairContext): unknown {
  if (!context.via) return after
  return after && typeof after === 'object' ? { ...after, via: context.via } : { via: context.via }
}

// Catalog reads of ONE schema for repair (issue 11 item 3): what the reference defines and what
// the tenant has now, each an index lookup by name, never a scan of the whole catalog.

/** The same advisory lock migrateTenant holds: a repair never interleaves with a migration. */
export async function lockSchema(db: Db, schema: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${'fleetdeck.tenant.' + schema}))`.execute(db)
}

/** Why a deleted tenant's schema is not repaired (the words of the other repair verbs). */
export const DELETED = 'the tenant is deleted: restore it first'

/**
 * Whether the tenant is deleted (or gone), reading its row FOR SHARE so a deletion or restore
 * waits for the caller's transaction: a repair must not run DDL on a deleted tenant's schema
 * (issue 11 item 3: a deleted tenant is left for restore). False for an orphan (null id).
 */
export async function tenantIsDeleted(db: Db, tenantId: string | null): Promise<boolean> {
  if (!tenantId) return false
  const row = await db
    .selectFrom('tenants')
    .select('status')
    .where('id', '=', tenantId)
    .forShare()
    .executeTakeFirst()
  return !row || row.status === 'deleted'
}

/** Whether the schema exists. */
export async function schemaExists(db: Db, schema: string): Promise<boolean> {
  const { rows } = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db)
  return rows.length > 0
}

/** Whether `schema.table` is an ordinary table. */
export async function tableExists(db: Db, schema: string, table: string): Promise<boolean> {
  const { rows } = await sql`select 1 from pg_tables
    where schemaname = ${schema} and tablename = ${table}`.execute(db)
  return rows.length > 0
}

/** A column's type, nullability and default, or undefined when absent. */
export async function readColumn(
  db: Db,
  schema: string,
  table: string,
  column: string,
): Promise<ColumnDefinition | undefined> {
  const { rows } = await sql<ColumnDefinition>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
      not a.attnotnull as nullable, pg_get_expr(d.adbin, d.adrelid) as default
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = ${schema} and c.relname = ${table} and a.attname = ${column}
      and a.attnum > 0 and not a.attisdropped`.execute(db)
  return rows[0]
}

/** pg_get_indexdef of an index, or undefined when absent. */
export async function readIndexDefinition(
  db: Db,
  schema: string,
  index: string,
): Promise<string | undefined> {
  const { rows } = await sql<{ definition: string }>`
    select pg_get_indexdef(c.oid) as definition from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relname = ${index} and c.relkind in ('i', 'I')`.execute(db)
  return rows[0]?.definition
}

export type ConstraintDefinition = {
  /** pg_constraint.contype: p, u, f, c, x. */
  type: string
  definition: string
}

/** A table's constraint by name (pg_get_constraintdef), or undefined when absent. */
export async function readConstraint(
  db: Db,
  schema: string,
  table: string,
  constraint: string,
): Promise<ConstraintDefinition | undefined> {
  const { rows } = await sql<ConstraintDefinition>`
    select k.contype as type, pg_get_constraintdef(k.oid) as definition
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relname = ${table} and k.conname = ${constraint}`.execute(db)
  return rows[0]
}

/** The foreign keys of `schema.table`, by name. */
export async function listForeignKeys(
  db: Db,
  schema: string,
  table: string,
): Promise<{ name: string; definition: string }[]> {
  const { rows } = await sql<{ name: string; definition: string }>`
    select k.conname as name, pg_get_constraintdef(k.oid) as definition
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relname = ${table} and k.contype = 'f'
    order by 1`.execute(db)
  return rows
}

/** Rows in `schema.table` (exact count: repair decides on "any rows at all"). */
export async function countTableRows(db: Db, schema: string, table: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from ${sql.table(`${schema}.${table}`)}`.execute(db)
  return Number(rows[0].n)
}

/** Rows in `schema.table` where `column` is null. */
export async function countNullRows(
  db: Db,
  schema: string,
  table: string,
  column: string,
): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from ${sql.table(`${schema}.${table}`)}
    where ${sql.ref(column)} is null`.execute(db)
  return Number(rows[0].n)
}

/**
 * A definition read from the reference schema, with its schema qualification pointed at
 * `target` instead. Both names are plain lowercase identifiers (the reference's is
 * `fleetdeck_reference_<hex>`, the tenant's matches TENANT_SCHEMA_PATTERN), so the catalog never
 * quotes them and a textual replacement of `<reference>.` is exact.
 */
export function requalify(definition: string, reference: string, target: string): string {
  return definition.split(`${reference}.`).join(`${target}.`)
}

/** Roles and role permissions in a tenant schema. @throws when the tables do not exist */
export async function countRoles(
  db: Db,
  schema: string,
): Promise<{ roles: number; permissions: number }> {
  const { rows } = await sql<{ roles: string; permissions: string }>`
    select (select count(*) from ${sql.table(`${schema}.roles`)}) as roles,
      (select count(*) from ${sql.table(`${schema}.role_permissions`)}) as permissions`.execute(db)
  return { roles: Number(rows[0].roles), permissions: Number(rows[0].permissions) }
}
