import { sql } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { TenantStatus } from '../db/schema.js'
import { tenantSchemaName, toTenant, transitionTenantStatus, type Tenant } from '../db/tenants.js'

// Tenant lifecycle changes. Each one is a single transaction: the change, its audit entry with
// the before → after difference, or nothing at all.

export type TenantEdit = { name: string; planId: string; billingEmail: string }

/**
 * Changes name, plan and billing email; a plan change sets plan_changed_at (the billing
 * integration prorates from it, seeds/002). Audits only the fields that changed.
 * @returns the tenant after the edit, or undefined when it does not exist or is deleted.
 */
export async function editTenant(
  db: Db,
  context: AuditContext,
  id: string,
  edit: TenantEdit,
  now = new Date(),
) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!row || row.status === 'deleted') return undefined
    const before = toTenant(row)
    const changes = changedFields(
      { name: before.name, planId: before.planId, billingEmail: before.billingEmail },
      edit,
    )
    if (Object.keys(changes.after).length === 0) return before
    const updated = await trx
      .updateTable('tenants')
      .set({
        name: edit.name,
        plan_id: edit.planId,
        billing_email: edit.billingEmail,
        updated_at: now,
        ...(edit.planId !== before.planId ? { plan_changed_at: now } : {}),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await appendAuditEntry(
      trx,
      context,
      { action: 'tenant.edit', targetType: 'tenant', targetId: id, tenantId: id, ...changes },
      now,
    )
    return toTenant(updated)
  })
}

function changedFields<T extends Record<string, unknown>>(before: T, after: T) {
  const keys = Object.keys(after).filter((k) => before[k] !== after[k])
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  }
}

const TRANSITIONS = {
  suspend: {
    from: ['active'] as TenantStatus[],
    to: 'suspended' as TenantStatus,
    action: 'tenant.suspend',
  },
  activate: {
    from: ['suspended'] as TenantStatus[],
    to: 'active' as TenantStatus,
    action: 'tenant.activate',
  },
}

/**
 * Suspends an active tenant or activates a suspended one (compare-and-set on the status).
 * @returns the tenant after the change, or undefined when it was not in the required status.
 */
export async function changeTenantStatus(
  db: Db,
  context: AuditContext,
  id: string,
  change: keyof typeof TRANSITIONS,
  now = new Date(),
): Promise<Tenant | undefined> {
  const { from, to, action } = TRANSITIONS[change]
  return db.transaction().execute(async (trx) => {
    const result = await transitionTenantStatus(trx, id, from, to, now)
    if (!result) return undefined
    await appendAuditEntry(
      trx,
      context,
      {
        action,
        targetType: 'tenant',
        targetId: id,
        tenantId: id,
        before: { status: result.before.status },
        after: { status: result.after.status },
      },
      now,
    )
    return result.after
  })
}

/**
 * Deletes a tenant: drops its schema (all its data), removes its memberships and storage
 * snapshot, and marks the row `deleted` — kept for the audit trail, so the slug stays taken.
 * Irreversible (seeds/002). All in one transaction: a failure drops nothing.
 * @returns the tenant as deleted, or undefined when it does not exist or is already deleted.
 */
export async function deleteTenant(
  db: Db,
  context: AuditContext,
  id: string,
  now = new Date(),
): Promise<Tenant | undefined> {
  return db.transaction().execute(async (trx) => {
    const result = await transitionTenantStatus(
      trx,
      id,
      ['provisioning', 'active', 'suspended', 'failed'],
      'deleted',
      now,
    )
    if (!result) return undefined
    const { before } = result
    await sql`drop schema if exists ${sql.id(tenantSchemaName(before.slug))} cascade`.execute(trx)
    const removed = await trx
      .deleteFrom('memberships')
      .where('tenant_id', '=', id)
      .executeTakeFirst()
    await trx.deleteFrom('storage_snapshots').where('tenant_id', '=', id).execute()
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'tenant.delete',
        targetType: 'tenant',
        targetId: id,
        tenantId: id,
        before: {
          status: before.status,
          slug: before.slug,
          name: before.name,
          schema: tenantSchemaName(before.slug),
        },
        after: { status: 'deleted', membershipsRemoved: Number(removed.numDeletedRows) },
      },
      now,
    )
    return result.after
  })
}
