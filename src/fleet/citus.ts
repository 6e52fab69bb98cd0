import { sql } from 'kysely'
import type { Db } from '../db/database.js'

// Every Citus-specific statement Fleetdeck runs lives here (issue 13 item 8): detection, schema
// distribution, sizes and placement measured on the workers, node sizes, and schema moves.
// Elsewhere the code asks these functions and never names a Citus catalog. On a plain server or
// the embedded database every function answers "no Citus" from one catalog lookup.
// Sources: Citus 13 docs, "Schema-based sharding" and "Citus utility functions"
// (citus_schema_distribute, citus_schema_move, citus_shards, pg_dist_schema, pg_dist_node).

/** What start-up and /system say about Citus. */
export type CitusInfo = {
  /** The extension's version on the coordinator, e.g. `13.2-1`. */
  version: string
  /** `citus.enable_schema_based_sharding`: new schemas distributed by Citus itself. */
  schemaBasedSharding: boolean
  /** Active primary nodes that may hold shards (workers; the coordinator when it does). */
  nodes: number
}

/**
 * The Citus extension's version when it is installed in this database, else null. One catalog
 * lookup (pg_extension), ~0.1 ms: cheap enough for the functions below to ask it each time.
 */
export async function citusVersion(db: Db): Promise<string | null> {
  const { rows } = await sql<{ version: string }>`
    select extversion as version from pg_extension where extname = 'citus'`.execute(db)
  return rows[0]?.version ?? null
}

/**
 * Detects Citus on the coordinator (issue 13 item 1): null when the extension is absent.
 * @returns version, the schema-based sharding setting and the count of nodes that hold shards
 */
export async function detectCitus(db: Db): Promise<CitusInfo | null> {
  const version = await citusVersion(db)
  if (!version) return null
  const { rows } = await sql<{ sharding: string | null; nodes: number }>`
    select current_setting('citus.enable_schema_based_sharding', true) as sharding,
      (select count(*)::int from pg_dist_node
        where isactive and noderole = 'primary' and shouldhaveshards) as nodes`.execute(db)
  return {
    version,
    schemaBasedSharding: rows[0]?.sharding === 'on',
    nodes: rows[0]?.nodes ?? 0,
  }
}

/** One line for the start-up log and /system: "Citus 13.2-1, 2 nodes, schema-based sharding on". */
export function describeCitus(info: CitusInfo | null): string {
  if (!info) return 'no Citus'
  const nodes = `${info.nodes} node${info.nodes === 1 ? '' : 's'}`
  return `Citus ${info.version}, ${nodes}, schema-based sharding ${info.schemaBasedSharding ? 'on' : 'off'}`
}

/**
 * Distributes `schema` (citus_schema_distribute) when Citus is present and it is not yet
 * distributed, whatever `citus.enable_schema_based_sharding` says (issue 13 item 3). Idempotent.
 * Citus copies the rows of a schema that already holds data to its worker but leaves them on
 * the coordinator's disk, invisible ("The local data in the table is no longer visible, but is
 * still on disk", Citus 13.2): they are truncated here, else a repaired tenant occupies its
 * bytes twice. A crash between the two leaves only that dead copy behind.
 * @returns `distributed` when it did, `already` when it was, `no_citus` on a plain server
 * @throws PostgreSQL's error when the schema does not exist or Citus refuses it
 */
export async function distributeTenantSchema(
  db: Db,
  schema: string,
): Promise<'distributed' | 'already' | 'no_citus'> {
  if (!(await citusVersion(db))) return 'no_citus'
  if (await isSchemaDistributed(db, schema)) return 'already'
  await sql`select citus_schema_distribute(${schema}::regnamespace)`.execute(db)
  await sql`select truncate_local_data_after_distributing_table(c.oid) from pg_class c
    where c.relnamespace = to_regnamespace(${schema}) and c.relkind in ('r', 'p')`.execute(db)
  return 'distributed'
}

/** Whether `schema` is a distributed (tenant) schema in pg_dist_schema. Citus must be present. */
export async function isSchemaDistributed(db: Db, schema: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from pg_dist_schema where schemaid = to_regnamespace(${schema})) as found
  `.execute(db)
  return rows[0]?.found ?? false
}

/** A schema as Citus holds it: its node (`host:port`) and the bytes of its shards there. */
export type SchemaPlacement = { node: string; bytes: number }

/**
 * Sizes and nodes of the distributed `tenant_*` schemas (or only of `schemas`), measured on the
 * workers through citus_shards in ONE query for the fleet (issue 13 item 2). Empty without Citus.
 * @returns schema name → placement; a schema left local on the coordinator is absent
 */
export async function measureCitusSchemas(
  db: Db,
  schemas?: readonly string[],
): Promise<Map<string, SchemaPlacement>> {
  if (!(await citusVersion(db))) return new Map()
  const only = schemas ? sql`and n.nspname = any(${[...schemas]}::text[])` : sql``
  const { rows } = await sql<{ schema: string; node: string; bytes: string }>`
    select n.nspname as schema, s.nodename || ':' || s.nodeport as node,
      coalesce(sum(s.shard_size), 0)::bigint as bytes
    from citus_shards s
    join pg_class c on c.oid = s.table_name
    join pg_namespace n on n.oid = c.relnamespace
    where s.citus_table_type = 'schema' and starts_with(n.nspname, 'tenant_') ${only}
    group by 1, 2`.execute(db)
  return new Map(rows.map((r) => [r.schema, { node: r.node, bytes: Number(r.bytes) }]))
}

/** `tenant_*` schemas on a Citus coordinator that are NOT distributed (left local). [] without Citus. */
export async function listLocalTenantSchemas(db: Db): Promise<string[]> {
  if (!(await citusVersion(db))) return []
  const { rows } = await sql<{ schema: string }>`
    select n.nspname as schema from pg_namespace n
    where starts_with(n.nspname, 'tenant_')
      and not exists (select 1 from pg_dist_schema d where d.schemaid = n.oid)
    order by 1`.execute(db)
  return rows.map((r) => r.schema)
}

/** A node that may hold tenant schemas, with what it holds now. */
export type CitusNode = {
  /** `host:port`, as citus_shards and citus_schema_move name it. */
  node: string
  host: string
  port: number
  /** Bytes of the tenant schemas' shards on this node. */
  bytes: number
  /** Tenant schemas placed on it. */
  schemas: number
}

/** The active nodes that may hold shards, largest first, with their tenant bytes. [] without Citus. */
export async function listCitusNodes(db: Db): Promise<CitusNode[]> {
  if (!(await citusVersion(db))) return []
  const { rows } = await sql<{ host: string; port: number; bytes: string; schemas: number }>`
    with placed as (
      select s.nodename, s.nodeport, sum(s.shard_size) as bytes,
        count(distinct c.relnamespace)::int as schemas
      from citus_shards s join pg_class c on c.oid = s.table_name
      where s.citus_table_type = 'schema'
      group by 1, 2)
    select d.nodename as host, d.nodeport as port, coalesce(p.bytes, 0)::bigint as bytes,
      coalesce(p.schemas, 0) as schemas
    from pg_dist_node d
    left join placed p on p.nodename = d.nodename and p.nodeport = d.nodeport
    where d.isactive and d.noderole = 'primary' and d.shouldhaveshards
    order by 3 desc, 1, 2`.execute(db)
  return rows.map((r) => ({
    node: `${r.host}:${r.port}`,
    host: r.host,
    port: r.port,
    bytes: Number(r.bytes),
    schemas: r.schemas,
  }))
}

/**
 * The `host:port` of each active node that may hold shards, sorted: the tenants table's node
 * filter. pg_dist_node only (no worker is asked, unlike listCitusNodes). [] without Citus.
 */
export async function listCitusNodeNames(db: Db): Promise<string[]> {
  if (!(await citusVersion(db))) return []
  const { rows } = await sql<{ node: string }>`
    select nodename || ':' || nodeport as node from pg_dist_node
    where isactive and noderole = 'primary' and shouldhaveshards
    order by nodename, nodeport`.execute(db)
  return rows.map((r) => r.node)
}

/** How Citus copies a moving schema's shards (the citus.shard_transfer_mode enum). */
export type ShardTransferMode = 'auto' | 'force_logical' | 'block_writes'

/**
 * Moves the distributed `schema` to the node `host:port` (citus_schema_move). Blocks until the
 * copy is done; with `block_writes` the schema's tables refuse writes meanwhile.
 * @throws PostgreSQL's error when Citus refuses (unknown node, same node, not distributed)
 */
export async function moveTenantSchema(
  db: Db,
  schema: string,
  target: { host: string; port: number },
  mode: ShardTransferMode,
): Promise<void> {
  await sql`select citus_schema_move(${schema}::regnamespace, ${target.host}, ${target.port},
    ${mode}::citus.shard_transfer_mode)`.execute(db)
}

/** What decides how a schema's shards can be copied. */
export type ShardTransferFacts = {
  /** The coordinator's wal_level; logical replication needs `logical`. */
  walLevel: string
  /** Tables of the schema without a primary key or replica identity (logical copy refuses them). */
  tablesWithoutReplicaIdentity: string[]
}

/**
 * The transfer mode for a move: logical replication (`force_logical`, writes go on during the
 * copy) when wal_level is logical and every table has a replica identity; otherwise
 * `block_writes` (the schema's tables refuse writes until the copy is done). Citus docs,
 * "citus_move_shard_placement", shard_transfer_mode.
 */
export function chooseShardTransferMode(facts: ShardTransferFacts): ShardTransferMode {
  if (facts.walLevel !== 'logical') return 'block_writes'
  return facts.tablesWithoutReplicaIdentity.length === 0 ? 'force_logical' : 'block_writes'
}

/** The facts chooseShardTransferMode needs, for `schema`, from the coordinator's catalog. */
export async function readShardTransferFacts(db: Db, schema: string): Promise<ShardTransferFacts> {
  const { rows } = await sql<{ wal_level: string; tables: string[] | null }>`
    select current_setting('wal_level') as wal_level,
      (select array_agg(c.relname::text order by c.relname) from pg_class c
        where c.relnamespace = to_regnamespace(${schema}) and c.relkind in ('r', 'p')
          and c.relreplident <> 'f'
          and (c.relreplident = 'n' or not exists (select 1 from pg_index i
            where i.indrelid = c.oid and (i.indisprimary or i.indisreplident)))) as tables`.execute(
    db,
  )
  return { walLevel: rows[0]!.wal_level, tablesWithoutReplicaIdentity: rows[0]!.tables ?? [] }
}

// — placement helper's additions (issue 13 item 5) —

// — cluster helper's additions (backups, benches) —

/**
 * Turns `citus.enable_schema_based_sharding` off for the rest of the current transaction, so a
 * schema it creates stays an ordinary coordinator schema until distributeTenantSchema. Restores
 * replay a whole dump as ONE multi-statement query: with sharding on, the dump's CREATE SCHEMA
 * is distributed at once and Citus forwards the later ALTER TABLE … ADD CONSTRAINT and CREATE
 * INDEX to the worker with the whole query text as a prepared statement, which PostgreSQL
 * refuses ("cannot insert multiple commands into a prepared statement"; citusdata/citus#6608,
 * seen on 13.2). Must run inside a transaction; a no-op without Citus.
 */
export async function keepNewSchemasLocal(trx: Db): Promise<void> {
  if (!(await citusVersion(trx))) return
  await sql`select set_config('citus.enable_schema_based_sharding', 'off', true)`.execute(trx)
}

/**
 * Distributes `schema` when it holds rows already (a restored dump, a tenant left local), in ONE
 * transaction of its own; distributeTenantSchema empties the coordinator's copy of each table.
 * Needs the schema committed first: as a non-superuser, creating a schema, filling it and
 * distributing it in one transaction fails on the worker ("schema … does not exist").
 * @returns as distributeTenantSchema
 * @throws PostgreSQL's error; the transaction rolls back and the schema stays local
 */
export async function distributeFilledSchema(
  db: Db,
  schema: string,
): Promise<'distributed' | 'already' | 'no_citus'> {
  if (!(await citusVersion(db))) return 'no_citus'
  // distributeTenantSchema empties the coordinator's copy itself; this adds the transaction.
  return db.transaction().execute((trx) => distributeTenantSchema(trx, schema))
}
