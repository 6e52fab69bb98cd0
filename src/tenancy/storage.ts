import type { Db } from '../db/database.js'
import { measureCitusSchemas } from '../fleet/citus.js'
import { upsertStorageSnapshots } from '../db/storage-snapshots.js'
import { listLiveTenantSlugs } from '../db/tenants.js'
import {
  listSchemasWithAttachments,
  measureSchemaSizes,
  sumAttachmentSizes,
  tenantSchemaName,
} from '../db/tenant-schema.js'
import { mergeSchemaSizes } from './storage-merge.js'

// Storage per tenant = DB bytes (pg_total_relation_size over the schema's relations) + file bytes
// (sum of attachments.file_size), kept as a snapshot: the tenants table reads the snapshot, never
// the catalog (DESIGN.md §4, seeds/000 "Storage Visibility"). On Citus a distributed schema's DB
// bytes are its shards' on the worker, with that node (issue 13 items 2 and 5); file bytes are
// read through the coordinator, which routes the SELECT to the worker.

type Target = { id: string; slug: string }

async function snapshot(db: Db, targets: Target[], now: Date, fleetWide: boolean): Promise<number> {
  const schemaOf = (t: Target) => tenantSchemaName(t.slug)
  // Fleet-wide: one catalog query for every schema (and one citus_shards query); one tenant:
  // only its schema's relations.
  const only = fleetWide ? undefined : targets.map(schemaOf)
  const dbSizes = mergeSchemaSizes(
    await measureSchemaSizes(db, only),
    await measureCitusSchemas(db, only),
  )
  const present = targets.filter((t) => dbSizes.has(schemaOf(t)))
  const fileSizes = await sumAttachmentSizes(
    db,
    await listSchemasWithAttachments(db, present.map(schemaOf)),
  )
  await upsertStorageSnapshots(
    db,
    present.map((t) => ({
      tenantId: t.id,
      dbBytes: dbSizes.get(schemaOf(t))?.bytes ?? 0,
      fileBytes: fileSizes.get(schemaOf(t)) ?? 0,
      takenAt: now,
      node: dbSizes.get(schemaOf(t))?.node ?? null,
    })),
  )
  return present.length
}

/**
 * Re-measures every live tenant (not deleted) and upserts its snapshot. Run it on a connection
 * of its own (`withDedicatedConnection`): touching every schema grows that backend's catalog
 * cache by ~0.2 MB per tenant (DESIGN.md §3).
 * @returns how many tenants were measured
 */
export async function refreshStorageSnapshots(db: Db, now: Date = new Date()): Promise<number> {
  return snapshot(db, await listLiveTenantSlugs(db), now, true)
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
