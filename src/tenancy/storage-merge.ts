import type { SchemaPlacement } from '../fleet/citus.js'

// On Citus a distributed tenant schema's tables on the coordinator are empty placeholders (the
// rows live in shards on a worker), so the catalog's sizes there are wrong by the whole tenant
// (issue 13: ~90 KB shown for 33.8 MB held). The workers' shard sizes replace them.

/** A tenant schema's DB bytes and where they are: the worker node, or null when local. */
export type SchemaSize = { bytes: number; node: string | null }

/**
 * Joins the coordinator's catalog sizes with Citus's shard sizes: where Citus measured a schema
 * its bytes and node win; a schema only the catalog knows (plain server, embedded database, or
 * left local on the coordinator) keeps the catalog's bytes with no node.
 * @param local schema → bytes from measureSchemaSizes (src/db/tenant-schema.ts)
 * @param citus schema → placement from measureCitusSchemas (src/fleet/citus.ts); empty off Citus
 */
export function mergeSchemaSizes(
  local: ReadonlyMap<string, number>,
  citus: ReadonlyMap<string, SchemaPlacement>,
): Map<string, SchemaSize> {
  const merged = new Map<string, SchemaSize>()
  for (const [schema, bytes] of local) merged.set(schema, { bytes, node: null })
  for (const [schema, placed] of citus)
    merged.set(schema, { bytes: placed.bytes, node: placed.node })
  return merged
}
