import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { TenantStatus } from '../db/schema.js'
import type { Tenant } from '../db/tenants.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { createTenant } from '../test-support/factories.js'

// Test fleets for the health check: tenants built with the example app's migrations and the
// health tests' own (an ADD COLUMN and a plain index), and the faults the issue lists.

/** The example app's migration folder and the health tests' own, as TENANT_MIGRATION_DIRS. */
export const HEALTH_TEST_DIRS = [
  fileURLToPath(new URL('../../examples/tenant-app/migrations', import.meta.url)),
  fileURLToPath(new URL('./test-migrations', import.meta.url)),
]

/** The health tests' own migration: adds attachments.checksum and attachments_created_idx. */
export const CHECKSUM_MIGRATION = '2026120300_attachment_checksum'

/** A tenant onboarded with `dirs` (all of HEALTH_TEST_DIRS unless told), then `fault` run in its schema. */
export async function tenantWith(
  db: Db,
  fault: (schema: string) => string | undefined,
  options: { dirs?: readonly string[]; status?: TenantStatus } = {},
): Promise<Tenant & { schema: string }> {
  const tenant = await createTenant(db, { tenantMigrationDirs: options.dirs ?? HEALTH_TEST_DIRS })
  const schema = tenantSchemaName(tenant.slug)
  const statement = fault(schema)
  if (statement) await sql.raw(statement).execute(db)
  if (options.status) {
    await db
      .updateTable('tenants')
      .set({ status: options.status })
      .where('id', '=', tenant.id)
      .execute()
  }
  return { ...tenant, schema }
}

/** No fault: a healthy tenant. */
export const healthy = () => undefined
