import { describe, expect, it } from 'vitest'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  deleteStorageSnapshot,
  findTenantPlacement,
  upsertStorageSnapshots,
} from './storage-snapshots.js'

// The placement a tenant page and a move read: node, DB bytes and time of the last snapshot.

const t = useTestDatabase()

describe('findTenantPlacement', () => {
  it('answers undefined for a tenant without a snapshot (purged)', async () => {
    const tenant = await createTenant(t.db)
    await deleteStorageSnapshot(t.db, tenant.id)
    expect(await findTenantPlacement(t.db, tenant.id)).toBeUndefined()
  })

  it('reads the node and DB bytes of the last snapshot, and a re-measure replaces the node', async () => {
    const tenant = await createTenant(t.db)
    const takenAt = new Date('2026-12-01T10:00:00Z')
    const snap = { tenantId: tenant.id, dbBytes: 4096, fileBytes: 10, takenAt }
    await upsertStorageSnapshots(t.db, [{ ...snap, node: '10.0.0.1:5432' }])
    expect(await findTenantPlacement(t.db, tenant.id)).toEqual({
      node: '10.0.0.1:5432',
      dbBytes: 4096,
      takenAt,
    })
    await upsertStorageSnapshots(t.db, [{ ...snap, dbBytes: 8192 }])
    expect(await findTenantPlacement(t.db, tenant.id)).toEqual({
      node: null,
      dbBytes: 8192,
      takenAt,
    })
  })
})
