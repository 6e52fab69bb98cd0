import type { Db } from './database.js'

// One storage snapshot per tenant (DESIGN.md §4): the tenants table reads these, never the catalog.

export type StorageSnapshot = {
  tenantId: string
  /** Bytes of the tenant schema's relations (tables, indexes, TOAST); on Citus, of its shards. */
  dbBytes: number
  /** Bytes of the tenant's files (sum of attachments.file_size). */
  fileBytes: number
  takenAt: Date
  /**
   * On Citus, the node (`host:port`) holding the tenant schema (issue 13 item 5); null (or left
   * out) on a plain server, the embedded database, or for a schema left local on the coordinator.
   */
  node?: string | null
}

/** Inserts or replaces the snapshots of the given tenants, 1,000 rows per statement. */
export async function upsertStorageSnapshots(db: Db, snapshots: StorageSnapshot[]): Promise<void> {
  for (let i = 0; i < snapshots.length; i += 1000) {
    await db
      .insertInto('storage_snapshots')
      .values(
        snapshots.slice(i, i + 1000).map((s) => ({
          tenant_id: s.tenantId,
          db_bytes: s.dbBytes,
          file_bytes: s.fileBytes,
          taken_at: s.takenAt,
          node: s.node ?? null,
        })),
      )
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet((eb) => ({
          db_bytes: eb.ref('excluded.db_bytes'),
          file_bytes: eb.ref('excluded.file_bytes'),
          taken_at: eb.ref('excluded.taken_at'),
          node: eb.ref('excluded.node'),
        })),
      )
      .execute()
  }
}

/** Where a tenant's schema was last measured: its node (null off Citus), DB bytes and when. */
export type TenantPlacement = { node: string | null; dbBytes: number; takenAt: Date }

/**
 * The tenant's placement as of its last storage snapshot (issue 13 item 5): the tenant page and
 * a move read it; refreshTenantStorage (src/tenancy/storage.ts) re-measures it after a move.
 * @returns undefined when the tenant has no snapshot yet (never measured, or purged)
 */
export async function findTenantPlacement(
  db: Db,
  tenantId: string,
): Promise<TenantPlacement | undefined> {
  const row = await db
    .selectFrom('storage_snapshots')
    .select(['node', 'db_bytes', 'taken_at'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  if (!row) return undefined
  return { node: row.node, dbBytes: Number(row.db_bytes), takenAt: new Date(row.taken_at) }
}

/** Removes a tenant's snapshot (its schema is gone). */
export async function deleteStorageSnapshot(db: Db, tenantId: string): Promise<void> {
  await db.deleteFrom('storage_snapshots').where('tenant_id', '=', tenantId).execute()
}
