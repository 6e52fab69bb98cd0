import type { Db } from './database.js'

// One storage snapshot per tenant (DESIGN.md §4): the tenants table reads these, never the catalog.

export type StorageSnapshot = {
  tenantId: string
  /** Bytes of the tenant schema's relations (tables, indexes, TOAST). */
  dbBytes: number
  /** Bytes of the tenant's files (sum of attachments.file_size). */
  fileBytes: number
  takenAt: Date
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
        })),
      )
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet((eb) => ({
          db_bytes: eb.ref('excluded.db_bytes'),
          file_bytes: eb.ref('excluded.file_bytes'),
          taken_at: eb.ref('excluded.taken_at'),
        })),
      )
      .execute()
  }
}

/** Removes a tenant's snapshot (its schema is gone). */
export async function deleteStorageSnapshot(db: Db, tenantId: string): Promise<void> {
  await db.deleteFrom('storage_snapshots').where('tenant_id', '=', tenantId).execute()
}
