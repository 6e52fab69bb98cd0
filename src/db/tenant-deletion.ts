import type { Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database, TenantStatus } from './schema.js'
import { toTenant, type Tenant } from './tenants.js'

// The rows behind deletion with a grace period (issue 11 item 6): mark deleted with purge_after,
// restore within the grace period, protection, and the purge's bookkeeping. Each write is a
// compare-and-set under the tenant's row lock; the domain verbs (src/tenancy/deletion.ts) audit.

/** Statuses a tenant may be deleted from: every one but `deleted`. */
export const DELETABLE: readonly TenantStatus[] = ['provisioning', 'active', 'suspended', 'failed']

/** Sets status `deleted`, deleted_at = now and purge_after; the caller checked the row. */
export async function markTenantDeleted(
  trx: Transaction<Database>,
  id: string,
  now: Date,
  purgeAfter: Date,
): Promise<Tenant> {
  const row = await trx
    .updateTable('tenants')
    .set({ status: 'deleted', deleted_at: now, purge_after: purgeAfter, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return toTenant(row)
}

/** Back to `suspended` (suspended_at = now) with deleted_at and purge_after cleared. */
export async function markTenantRestored(
  trx: Transaction<Database>,
  id: string,
  now: Date,
): Promise<Tenant> {
  const row = await trx
    .updateTable('tenants')
    .set({
      status: 'suspended',
      suspended_at: now,
      deleted_at: null,
      purge_after: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return toTenant(row)
}

/** Sets the protected flag (owner-set; a protected tenant cannot be deleted or purged). */
export async function setTenantProtected(
  trx: Transaction<Database>,
  id: string,
  value: boolean,
  now: Date,
): Promise<Tenant> {
  const row = await trx
    .updateTable('tenants')
    .set({ protected: value, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return toTenant(row)
}

/** Clears purge_after once purged: the row stays `deleted` for the audit trail, slug taken. */
export async function markTenantPurged(trx: Transaction<Database>, id: string, now: Date) {
  await trx
    .updateTable('tenants')
    .set({ purge_after: null, updated_at: now })
    .where('id', '=', id)
    .execute()
}

/**
 * Deleted tenants whose grace period is over (purge_after <= now) and that are not protected,
 * oldest due first; the purge job takes one item each. Uses tenants_purge_after_idx.
 */
export async function listTenantsDueForPurge(
  db: Db,
  now: Date,
): Promise<{ id: string; slug: string }[]> {
  return db
    .selectFrom('tenants')
    .select(['id', 'slug'])
    .where('purge_after', '<=', now)
    .where('status', '=', 'deleted')
    .where('protected', '=', false)
    .orderBy('purge_after')
    .execute()
}

/** When the tenant was purged (its `tenant.purge` audit entry), or undefined if never. */
export async function findPurgedAt(db: Db, tenantId: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom('audit_log')
    .select('created_at')
    .where('tenant_id', '=', tenantId)
    .where('action', '=', 'tenant.purge')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.created_at
}
