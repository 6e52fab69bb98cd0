import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { findTenantPlacement } from '../db/storage-snapshots.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { openCitusTestDatabase } from '../db/test-database.js'
import { distributeTenantSchema, measureCitusSchemas } from '../fleet/citus.js'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { refreshStorageSnapshots, refreshTenantStorage } from './storage.js'

// Storage snapshots: DB bytes where the schema's rows are, file bytes from attachments, and the
// node holding the schema on Citus (null elsewhere).

async function addAttachment(db: DatabaseHandle['db'], slug: string, bytes: number) {
  await sql`insert into ${sql.table(`${tenantSchemaName(slug)}.attachments`)}
    (file_name, content_type, file_size) values ('a.pdf', 'application/pdf', ${bytes})`.execute(db)
}

describe.skipIf(!!process.env.TEST_CITUS_WORKERS)('storage snapshots without Citus', () => {
  const t = useTestDatabase()

  it('measures the schema in the catalog, sums the files and records no node', async () => {
    const tenant = await createTenant(t.db)
    await addAttachment(t.db, tenant.slug, 5000)
    const at = new Date('2026-12-01T12:00:00Z')
    expect(await refreshStorageSnapshots(t.db, at)).toBeGreaterThanOrEqual(1)
    const placement = await findTenantPlacement(t.db, tenant.id)
    expect(placement).toMatchObject({ node: null, takenAt: at })
    expect(placement!.dbBytes).toBeGreaterThan(8192)
    const row = await t.db
      .selectFrom('storage_snapshots')
      .select('file_bytes')
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row.file_bytes).toBe(5000)
  })
})

describe.skipIf(!process.env.TEST_CITUS_URL)('storage snapshots on Citus', () => {
  let handle: DatabaseHandle
  beforeAll(async () => {
    handle = await openCitusTestDatabase()
  })
  afterAll(async () => {
    await handle?.close()
  })

  it("takes a distributed schema's bytes and node from its worker, a local one's from the catalog", async () => {
    const db = handle.db
    const moved = await createTenant(db)
    const local = await createTenant(db)
    // Onboarding distributes every tenant schema on Citus; the local one (a tenant left behind by
    // an older release or a failed step) is made local on purpose.
    expect(await distributeTenantSchema(db, tenantSchemaName(moved.slug))).toBe('already')
    await sql`select citus_schema_undistribute(${tenantSchemaName(local.slug)}::regnamespace)`.execute(
      db,
    )
    await sql`insert into ${sql.table(`${tenantSchemaName(moved.slug)}.audit_log`)} (actor, action, details)
      select 'test', 'bulk', jsonb_build_object('pad', md5(g::text) || repeat(md5((g * 7)::text), 2))
      from generate_series(1, 10000) g`.execute(db)
    await addAttachment(db, moved.slug, 7000)
    await refreshStorageSnapshots(db)
    const placed = (await measureCitusSchemas(db)).get(tenantSchemaName(moved.slug))!
    expect(await findTenantPlacement(db, moved.id)).toMatchObject({
      node: placed.node,
      dbBytes: placed.bytes,
    })
    expect(placed.bytes).toBeGreaterThan(1_000_000)
    expect((await findTenantPlacement(db, local.id))?.node ?? null).toBeNull()
    const files = await db
      .selectFrom('storage_snapshots')
      .select('file_bytes')
      .where('tenant_id', '=', moved.id)
      .executeTakeFirstOrThrow()
    expect(files.file_bytes).toBe(7000)
    await refreshTenantStorage(db, moved.id, moved.slug)
    expect((await findTenantPlacement(db, moved.id))?.node).toBe(placed.node)
  })
})
