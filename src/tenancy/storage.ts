import { sql, type Kysely } from 'kysely'
import type { Db } from '../db/database.js'
import { tenantSchemaName } from '../db/tenants.js'
import { tenantMigrationNames } from '../db/migrate.js'

// Storage per tenant = DB bytes (pg_total_relation_size over the schema's relations) + file bytes
// (sum of attachments.file_size), kept as a snapshot: the tenants table reads the snapshot, never
// the catalog (DESIGN.md §4, seeds/000 "Storage Visibility").

/** Schemas whose attachments are summed per statement: bounds statement size and plan time. */
const FILE_SUM_BATCH = 200

/**
 * DB bytes per tenant schema in ONE catalog query: of every tenant schema, or only of `schemas`
 * when given (a single tenant after onboarding must not touch every schema's relations).
 * @returns schema name → bytes
 */
export async function measureSchemaSizes(db: Db, schemas?: string[]): Promise<Map<string, number>> {
  const only = schemas ? sql`and n.nspname = any(${schemas}::text[])` : sql``
  const { rows } = await sql<{ schema: string; bytes: number }>`
    select n.nspname as schema, coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as bytes
    from pg_namespace n
    left join pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'm', 'p')
    where starts_with(n.nspname, 'tenant_') ${only}
    group by n.nspname`.execute(db)
  return new Map(rows.map((r) => [r.schema, Number(r.bytes)]))
}

/** Sum of attachments.file_size per schema, 200 schemas per UNION ALL statement. */
async function measureFileSizes(db: Db, schemas: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>()
  for (let i = 0; i < schemas.length; i += FILE_SUM_BATCH) {
    const parts = schemas
      .slice(i, i + FILE_SUM_BATCH)
      .map(
        (schema) =>
          sql`select ${schema}::text as schema, coalesce(sum(file_size), 0)::bigint as bytes from ${sql.table(`${schema}.attachments`)}`,
      )
    const { rows } = await sql<{
      schema: string
      bytes: number
    }>`${sql.join(parts, sql` union all `)}`.execute(db)
    for (const row of rows) sizes.set(row.schema, Number(row.bytes))
  }
  return sizes
}

type Target = { id: string; slug: string }

async function snapshot(db: Db, targets: Target[], now: Date, fleetWide: boolean): Promise<number> {
  const dbSizes = await measureSchemaSizes(
    db,
    fleetWide ? undefined : targets.map((t) => tenantSchemaName(t.slug)),
  )
  const present = targets.filter((t) => dbSizes.has(tenantSchemaName(t.slug)))
  const withFiles = await schemasWithAttachments(
    db,
    present.map((t) => tenantSchemaName(t.slug)),
  )
  const fileSizes = await measureFileSizes(db, withFiles)
  const rows = present.map((t) => ({
    tenant_id: t.id,
    db_bytes: dbSizes.get(tenantSchemaName(t.slug)) ?? 0,
    file_bytes: fileSizes.get(tenantSchemaName(t.slug)) ?? 0,
    taken_at: now,
  }))
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('storage_snapshots')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet((eb) => ({
          db_bytes: eb.ref('excluded.db_bytes'),
          file_bytes: eb.ref('excluded.file_bytes'),
          taken_at: eb.ref('excluded.taken_at'),
        })),
      )
      .execute()
  }
  return rows.length
}

/** Only schemas that already have the attachments table (a half-made tenant may not). */
async function schemasWithAttachments(db: Db, schemas: string[]): Promise<string[]> {
  if (schemas.length === 0) return []
  const rows = await db
    .withoutPlugins()
    .selectFrom(sql<{ schemaname: string; tablename: string }>`pg_catalog.pg_tables`.as('t'))
    .select('t.schemaname')
    .where('t.tablename', '=', 'attachments')
    .where('t.schemaname', 'in', schemas)
    .execute()
  return rows.map((r) => r.schemaname)
}

/**
 * Re-measures every live tenant (not deleted) and upserts its snapshot. Run it on a connection
 * of its own (`withDedicatedConnection`): touching every schema grows that backend's catalog
 * cache by ~0.2 MB per tenant (DESIGN.md §3).
 * @returns how many tenants were measured
 */
export async function refreshStorageSnapshots(db: Db, now: Date = new Date()): Promise<number> {
  const targets = await db
    .selectFrom('tenants')
    .select(['id', 'slug'])
    .where('status', '!=', 'deleted')
    .execute()
  return snapshot(db, targets, now, true)
}

/** Measures one tenant, right after onboarding, so its row never shows "not measured yet". */
export async function refreshTenantStorage(
  db: Db,
  id: string,
  slug: string,
  now: Date = new Date(),
): Promise<void> {
  await snapshot(db, [{ id, slug }], now, false)
}

/** When the oldest snapshot of a live tenant was taken; undefined when there is none. */
export async function oldestSnapshotAt(db: Db): Promise<Date | undefined> {
  const row = await db
    .selectFrom('storage_snapshots')
    .innerJoin('tenants', 'tenants.id', 'storage_snapshots.tenant_id')
    .select((eb) => eb.fn.min('storage_snapshots.taken_at').as('oldest'))
    .where('tenants.status', '!=', 'deleted')
    .executeTakeFirst()
  return row?.oldest ? new Date(row.oldest as Date) : undefined
}

export type SchemaStatus = {
  schema: string
  exists: boolean
  applied: string[]
  pending: string[]
  tables: number
}

/** Whether the tenant's schema exists and which tenant migrations it has applied. */
export async function tenantSchemaStatus(db: Db, slug: string): Promise<SchemaStatus> {
  const schema = tenantSchemaName(slug)
  const all = await tenantMigrationNames()
  const { rows } = await sql<{ tables: number }>`
    select count(c.oid)::int as tables from pg_namespace n
    left join pg_class c on c.relnamespace = n.oid and c.relkind = 'r'
    where n.nspname = ${schema} group by n.oid`.execute(db)
  if (rows.length === 0) return { schema, exists: false, applied: [], pending: all, tables: 0 }
  const applied = await (db as Kysely<any>)
    .withSchema(schema)
    .selectFrom('kysely_migration')
    .select('name')
    .execute()
    .then((r) => r.map((x) => x.name as string))
    .catch(() => [] as string[])
  return {
    schema,
    exists: true,
    applied,
    pending: all.filter((m) => !applied.includes(m)),
    tables: rows[0].tables,
  }
}
