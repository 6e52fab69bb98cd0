import type { Db } from '../db/database.js'
import { tenantMigrationNames } from '../db/migrate.js'
import {
  countSchemaTables,
  listAppliedTenantMigrations,
  tenantSchemaName,
} from '../db/tenant-schema.js'

export type SchemaStatus = {
  schema: string
  exists: boolean
  /** Tenant migrations applied in the schema, in order. */
  applied: string[]
  /** Tenant migrations not applied yet, in order. */
  pending: string[]
  /** Ordinary tables in the schema. */
  tables: number
}

/**
 * Whether the tenant's schema exists, how many tables it has and which tenant migrations it has
 * applied (of `migrations/tenant` and `migrationDirs`, Config.tenantMigrationDirs). Looks up this one schema only (two index lookups), never the whole catalog, so the
 * tenant page costs the same at 20 or 2,000 tenants.
 */
export async function tenantSchemaStatus(
  db: Db,
  slug: string,
  migrationDirs: readonly string[] = [],
): Promise<SchemaStatus> {
  const schema = tenantSchemaName(slug)
  const all = await tenantMigrationNames(migrationDirs)
  const tables = await countSchemaTables(db, schema)
  if (tables === undefined) return { schema, exists: false, applied: [], pending: all, tables: 0 }
  const applied = await listAppliedTenantMigrations(db, slug)
  return {
    schema,
    exists: true,
    applied,
    pending: all.filter((m) => !applied.includes(m)),
    tables,
  }
}
