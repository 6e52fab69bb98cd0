import { appendAuditEntry } from '../db/audit-log.js'
import { applyTenantMigrations } from '../db/migrate.js'
import { findTenantById } from '../db/tenants.js'
import { countSchemaTables, tenantSchemaName } from '../db/tenant-schema.js'
import type { JobHandler, JobItemOutcome, JobWork } from '../jobs/job-kinds.js'

// The `tenant_migration` job kind (issue 11 item 4): one item per tenant, its pending tenant
// migrations applied in one transaction under the schema's advisory lock, audited in it.

/** How the run was started, in its params: the console or `npm run fleet -- migrate`. */
export type MigrationVia = 'console' | 'cli'

/**
 * Applies the item's tenant's pending migrations and appends `tenant.migrate` (before: applied
 * count and last name; after: the names applied now, how the run was started) in the same
 * transaction, with the run id as batch id. Idempotent: a re-claimed item whose work committed
 * finds nothing pending and is skipped, so each migration is applied exactly once.
 * @returns done with the names applied, or skipped with why (gone, deleted, not onboarded,
 *   schema missing, nothing pending)
 * @throws the failing migration's error (the tenant's transaction is rolled back)
 */
export async function migrateTenantItem(work: JobWork): Promise<JobItemOutcome> {
  const { db, run, item } = work
  const tenant = item.tenantId ? await findTenantById(db, item.tenantId) : undefined
  if (!tenant) return { status: 'skipped', reason: 'the tenant no longer exists' }
  if (tenant.status === 'deleted') return { status: 'skipped', reason: 'the tenant is deleted' }
  if (tenant.status === 'failed' || tenant.status === 'provisioning')
    return { status: 'skipped', reason: `the tenant is ${tenant.status}: onboarding owns it` }
  const schema = tenantSchemaName(tenant.slug)
  if ((await countSchemaTables(db, schema)) === undefined)
    return { status: 'skipped', reason: `schema ${schema} is missing: repair the tenant first` }
  const now = work.now()
  const applied = await db.transaction().execute(async (trx) => {
    const outcome = await applyTenantMigrations(trx, schema, work.config.tenantMigrationDirs)
    if (outcome.applied.length === 0) return outcome.applied
    const actor = run.createdBy ? { id: run.createdBy, email: run.createdByEmail ?? '' } : null
    await appendAuditEntry(
      trx,
      { actor, batchId: run.id },
      {
        action: 'tenant.migrate',
        targetType: 'tenant',
        targetId: tenant.id,
        tenantId: tenant.id,
        before: { applied: outcome.previously.length, last: outcome.previously.at(-1) ?? null },
        after: { applied: outcome.applied, via: run.params.via ?? 'console' },
      },
      now,
    )
    return outcome.applied
  })
  if (applied.length === 0) return { status: 'skipped', reason: 'nothing pending' }
  return { status: 'done', result: { applied } }
}

/** The handler the runner calls for `tenant_migration` items (src/jobs/job-handlers.ts). */
export const tenantMigrationHandler: JobHandler = {
  kind: 'tenant_migration',
  runItem: migrateTenantItem,
}
