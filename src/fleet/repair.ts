import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { applyTenantMigrations } from '../db/migrate.js'
import {
  createTenantSchema,
  listAppliedTenantMigrations,
  insertTenantRoles,
  tenantSchemaName,
} from '../db/tenant-schema.js'
import { findTenantById, type Tenant } from '../db/tenants.js'
import { refuse, type Refusal } from '../domain-result.js'
import { TENANT_ROLES } from '../tenancy/tenant-roles.js'
import { countRoles, lockSchema, schemaExists, tenantIsDeleted, withVia } from './repair-catalog.js'

// Repairs of one tenant's schema that the onboarding pipeline's idempotent steps do (issue 11
// item 3): recreate a missing schema, apply pending migrations, re-seed roles. Each runs in ONE
// transaction with its audit entry (DDL is transactional): done and audited, or nothing. A step
// that fails rolls back whole and is then audited as a failed attempt that changed nothing.

/** Config.tenantMigrationDirs: the extra tenant migration folders. */
export type RepairOptions = { migrationDirs: readonly string[] }

export type Failed = { ok: false; reason: 'failed'; error: string }
export type Gone = Refusal<'not_found' | 'tenant_deleted'>

/** The tenant a repair may work on: refuses an unknown or deleted one. */
export async function repairableTenant(db: Db, tenantId: string): Promise<Tenant | Gone> {
  const tenant = await findTenantById(db, tenantId)
  if (!tenant) return refuse('not_found')
  if (tenant.status === 'deleted') return refuse('tenant_deleted')
  return tenant
}

/** Appends `fleet.repair.<what>` for the tenant, in `db`'s transaction or a new one. */
export async function audit(
  db: Db,
  context: AuditContext,
  tenant: Tenant,
  what: string,
  before: unknown,
  after: unknown,
) {
  const write = (trx: Transaction<Database>) =>
    appendAuditEntry(trx, context, {
      action: `fleet.repair.${what}`,
      targetType: 'tenant',
      targetId: tenant.id,
      tenantId: tenant.id,
      before,
      after: withVia(after, context),
    })
  await (db.isTransaction ? write(db as Transaction<Database>) : db.transaction().execute(write))
}

/** Thrown by lockLiveTenant: the transaction rolls back and the verb refuses tenant_deleted. */
class TenantDeletedMeanwhile extends Error {}

/**
 * The first statement of each repair transaction: locks the tenant row FOR SHARE (a deletion
 * waits for the repair) and throws when it was deleted after the pre-check (second review,
 * item 4: the pre-check alone let a repair run DDL on a just-deleted tenant's schema).
 */
export async function lockLiveTenant(trx: Transaction<Database>, tenantId: string): Promise<void> {
  if (await tenantIsDeleted(trx, tenantId)) throw new TenantDeletedMeanwhile()
}

/** Runs `work`; on an error audits it as failed with `before` and returns its message. */
export async function attempt<T>(
  db: Db,
  context: AuditContext,
  tenant: Tenant,
  what: string,
  before: unknown,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | Gone | Failed> {
  try {
    return { ok: true, value: await work() }
  } catch (cause) {
    if (cause instanceof TenantDeletedMeanwhile) return refuse('tenant_deleted')
    const error = (cause as Error).message?.slice(0, 500) || 'unknown error'
    await audit(db, context, tenant, what, before, { failed: true, error })
    return { ok: false, reason: 'failed', error }
  }
}

/**
 * Recreates a tenant's missing schema through the onboarding pipeline's idempotent steps —
 * create schema, tenant migrations, seed roles — without adding a first admin again (the
 * membership lives in `public` and survived). The tenant keeps its status. Audited
 * `fleet.repair.recreate_schema` (before: no schema; after: migrations applied, roles).
 * @returns refusals: not_found, tenant_deleted, schema_present; `failed` with the step's error
 */
export async function recreateTenantSchema(
  db: Db,
  context: AuditContext,
  tenantId: string,
  options: RepairOptions,
): Promise<{ ok: true; applied: string[] } | Gone | Refusal<'schema_present'> | Failed> {
  const tenant = await repairableTenant(db, tenantId)
  if ('ok' in tenant) return tenant
  const schema = tenantSchemaName(tenant.slug)
  if (await schemaExists(db, schema)) return refuse('schema_present')
  const before = { schema, present: false, status: tenant.status }
  const done = await attempt(db, context, tenant, 'recreate_schema', before, () =>
    // Writes both sides only with DDL, which Citus commits two-phase (verified on Citus 13.2).
    db.transaction().execute(async (trx) => {
      await lockLiveTenant(trx, tenant.id)
      await createTenantSchema(trx, tenant.slug)
      const { applied } = await applyTenantMigrations(trx, schema, options.migrationDirs)
      await insertTenantRoles(trx, tenant.slug, TENANT_ROLES)
      const roles = await countRoles(trx, schema)
      const after = { schema, present: true, migrations: applied, roles, status: tenant.status }
      await audit(trx, context, tenant, 'recreate_schema', before, after)
      return applied
    }),
  )
  if (!done.ok) return done
  return { ok: true, applied: done.value }
}

/**
 * Applies the tenant migrations its schema lacks (migrateTenant: one transaction, the schema's
 * advisory lock). Audited `fleet.repair.migrate` with the applied list before and the names
 * applied now; nothing pending is a success that changes and audits nothing.
 * @returns refusals: not_found, tenant_deleted, schema_missing; `failed` naming the migration
 */
export async function applyPendingMigrations(
  db: Db,
  context: AuditContext,
  tenantId: string,
  options: RepairOptions,
): Promise<{ ok: true; applied: string[] } | Gone | Refusal<'schema_missing'> | Failed> {
  const tenant = await repairableTenant(db, tenantId)
  if ('ok' in tenant) return tenant
  const schema = tenantSchemaName(tenant.slug)
  if (!(await schemaExists(db, schema))) return refuse('schema_missing')
  const before = { applied: await listAppliedTenantMigrations(db, tenant.slug) }
  const done = await attempt(db, context, tenant, 'migrate', before, () =>
    db.transaction().execute(async (trx) => {
      await lockLiveTenant(trx, tenant.id)
      const { applied } = await applyTenantMigrations(trx, schema, options.migrationDirs)
      if (applied.length > 0)
        await audit(trx, context, tenant, 'migrate', before, { appliedNow: applied })
      return applied
    }),
  )
  if (!done.ok) return done
  return { ok: true, applied: done.value }
}

/**
 * Inserts the roles and permissions of TENANT_ROLES the schema lacks (by name, existing ones
 * untouched), audited `fleet.repair.roles` with role and permission counts before and after.
 * Two transactions, one side each (issue 13 item 4: on Citus a DML write to a tenant schema and
 * `public` in one transaction commits one-phase, the worker first): the insert, under the tenant
 * row's share lock and the schema's advisory lock; then the audit entry, after re-checking the
 * tenant is live. The insert is idempotent, so a crash between them loses only the entry.
 * @returns refusals: not_found, tenant_deleted, schema_missing; `failed` (no roles table)
 */
export async function reseedTenantRoles(
  db: Db,
  context: AuditContext,
  tenantId: string,
): Promise<{ ok: true; added: number } | Gone | Refusal<'schema_missing'> | Failed> {
  const tenant = await repairableTenant(db, tenantId)
  if ('ok' in tenant) return tenant
  const schema = tenantSchemaName(tenant.slug)
  if (!(await schemaExists(db, schema))) return refuse('schema_missing')
  const before = await countRoles(db, schema).catch(() => ({ roles: 0, permissions: 0 }))
  const done = await attempt(db, context, tenant, 'roles', before, async () => {
    const counts = await db.transaction().execute(async (trx) => {
      await lockLiveTenant(trx, tenant.id)
      await lockSchema(trx, schema)
      const counted = await countRoles(trx, schema)
      await insertTenantRoles(trx, tenant.slug, TENANT_ROLES)
      return { counted, after: await countRoles(trx, schema) }
    })
    await db.transaction().execute(async (trx) => {
      await lockLiveTenant(trx, tenant.id)
      await audit(trx, context, tenant, 'roles', counts.counted, counts.after)
    })
    const { counted, after } = counts
    return after.roles - counted.roles + after.permissions - counted.permissions
  })
  return done.ok ? { ok: true, added: done.value } : done
}
