import { sql } from 'kysely'
import { describe, expect, it, vi } from 'vitest'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { auditEntries } from '../test-support/database-state.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createTenant } from '../test-support/factories.js'
import { tempBackupDir } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { countRoles, schemaExists } from './repair-catalog.js'
import { applyPendingMigrations, recreateTenantSchema, reseedTenantRoles } from './repair.js'

// Second review of issue 11, item 4: a tenant deleted between a repair's pre-check and its
// transaction is refused under the row lock, not repaired. The pre-check's read is made stale:
// findTenantById reports the tenant active while its row says deleted.

const stale = vi.hoisted(() => ({ active: false }))
vi.mock('../db/tenants.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../db/tenants.js')>()
  return {
    ...real,
    findTenantById: async (...args: Parameters<typeof real.findTenantById>) => {
      const tenant = await real.findTenantById(...args)
      return tenant && stale.active ? { ...tenant, status: 'active' as const } : tenant
    },
  }
})

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-repair-deleted' }
const options = { migrationDirs: [] }

async function deletedMeanwhile() {
  const tenant = await createTenant(t.db)
  await deleteTestTenant(t.database, tenant.id, { config })
  stale.active = true
  return { tenant, schema: tenantSchemaName(tenant.slug) }
}

async function repairAudits(): Promise<number> {
  const verbs = ['recreate_schema', 'migrate', 'roles']
  const counts = await Promise.all(verbs.map((v) => auditEntries(t.db, `fleet.repair.${v}`)))
  return counts.reduce((n, entries) => n + entries.length, 0)
}

describe('repairs of a tenant deleted after their pre-check', () => {
  it('refuse tenant_deleted under the row lock and change nothing', async () => {
    const { tenant, schema } = await deletedMeanwhile()
    await sql`delete from ${sql.table(`${schema}.roles`)}`.execute(t.db)
    const auditsBefore = await repairAudits()

    const migrate = await applyPendingMigrations(t.db, context, tenant.id, options)
    const roles = await reseedTenantRoles(t.db, context, tenant.id)
    const rolesAfter = await countRoles(t.db, schema)
    await sql`drop schema ${sql.id(schema)} cascade`.execute(t.db)
    const recreate = await recreateTenantSchema(t.db, context, tenant.id, options)
    stale.active = false

    expect([migrate, roles, recreate]).toEqual(
      Array(3).fill({ ok: false, reason: 'tenant_deleted' }),
    )
    expect(rolesAfter.roles).toBe(0)
    expect(await schemaExists(t.db, schema)).toBe(false)
    expect(await repairAudits()).toBe(auditsBefore)
  })
})
