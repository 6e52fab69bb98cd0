import type { Config } from '../config.js'
import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { tenantMigrationNames } from '../db/migrate.js'
import type { TenantHealth } from '../db/schema.js'
import { findLatestSchemaResult } from '../db/schema-results.js'
import { listAppliedMigrationsOfSchemas } from '../db/tenant-schema.js'
import { findTenantBySlug, type Tenant } from '../db/tenants.js'
import { TENANT_ROLES } from '../tenancy/tenant-roles.js'
import type { SchemaFinding } from './findings.js'
import { checkOneTenantSchema, checkTenantSchemas, type SchemaHealth } from './health-check.js'
import { FLEET_CHECK_RUNNING, withHealthCheckLock } from './reference-shapes.js'
import { countRoles, schemaExists } from './repair-catalog.js'
import { slugOfSchema } from './schema-names.js'

/** What repair knows of one schema: live presence, migrations and roles; drift as last checked. */
export type SchemaState = {
  schema: string
  /** The tenant whose slug maps to the schema; undefined for an orphan. */
  tenant: Tenant | undefined
  exists: boolean
  /** Tenant migrations not applied, read now. */
  pending: string[]
  /** Drift from the latest stored check (repair re-reads the catalog before each change). */
  findings: SchemaFinding[]
  /** Roles or permissions of TENANT_ROLES are missing (read now). */
  rolesIncomplete: boolean
  /** The latest stored check's verdict and time, if any. */
  health: TenantHealth | null
  checkedAt: Date | null
}

const EXPECTED_PERMISSIONS = TENANT_ROLES.reduce((n, r) => n + r.permissions.length, 0)

/**
 * Checks one schema now with the health check's rule (checkTenantSchemas on this schema only;
 * builds a reference schema, ~0.3 s). A tenant's result is stored as a tenant-scope check and
 * its tenants.health updated (checkOneTenantSchema): repair's re-check after every repair. An
 * orphan's is returned, not stored (the next fleet check stores it). Undefined for a deleted
 * tenant's schema. With `context`, the tenant's health before → after is audited
 * (`tenant.health_check`), so the log shows what a repair changed. Unless `wait`, it returns
 * FLEET_CHECK_RUNNING at once while a fleet check runs (that check brings this schema's result).
 */
export async function checkSchemaNow(
  db: Db,
  config: Pick<Config, 'tenantMigrationDirs'>,
  schema: string,
  tenant: Tenant | undefined,
  context?: AuditContext,
  options: { wait?: boolean } = {},
): Promise<SchemaHealth | undefined | typeof FLEET_CHECK_RUNNING> {
  if (tenant) return checkOneTenantSchema(db, config, tenant, new Date(), context, options)
  const check = await withHealthCheckLock(
    db,
    (conn) => checkTenantSchemas(conn, config.tenantMigrationDirs, [schema]),
    { wait: options.wait ?? false },
  )
  return check === FLEET_CHECK_RUNNING ? check : check.results.get(schema)
}

/**
 * Reads one schema's state: index lookups on this schema only, plus its latest stored result —
 * or, given `checked` (checkSchemaNow), that fresh result's pending migrations and findings.
 * `migrationDirs`: Config.tenantMigrationDirs.
 */
export async function readSchemaState(
  db: Db,
  schema: string,
  migrationDirs: readonly string[],
  checked?: SchemaHealth,
): Promise<SchemaState> {
  const slug = slugOfSchema(schema)
  const tenant = slug ? await findTenantBySlug(db, slug) : undefined
  const exists = await schemaExists(db, schema)
  const stored = await findLatestSchemaResult(db, schema)
  const applied = exists ? (await listAppliedMigrationsOfSchemas(db, [schema])).get(schema)! : []
  const all = await tenantMigrationNames(migrationDirs)
  const roles = exists ? await countRoles(db, schema).catch(() => undefined) : undefined
  const fresh = checked && { findings: checked.findings, health: checked.health, at: new Date() }
  return {
    schema,
    tenant,
    exists,
    pending: exists ? all.filter((m) => !applied.includes(m)) : all,
    findings: exists ? (fresh?.findings ?? (stored?.findings as SchemaFinding[]) ?? []) : [],
    rolesIncomplete:
      exists &&
      (!roles || roles.roles < TENANT_ROLES.length || roles.permissions < EXPECTED_PERMISSIONS),
    health: fresh?.health ?? stored?.health ?? null,
    checkedAt: fresh?.at ?? stored?.checkedAt ?? null,
  }
}
