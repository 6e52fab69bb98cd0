import type { Permission } from '../auth/permissions.js'
import type { Config } from '../config.js'
import type { AuditContext } from '../db/audit-log.js'
import { listMatchingTenantIds } from '../db/bulk-batches.js'
import { findCookieSecret } from '../db/cookie-secret.js'
import type { Db, DatabaseHandle } from '../db/database.js'
import type { ApprovalKind } from '../db/schema.js'
import { findActiveSigningKey } from '../db/signing-keys.js'
import { findSuperAdminById } from '../db/super-admins.js'
import type { TenantScope } from '../db/tenant-scope.js'
import { findTenantById } from '../db/tenants.js'
import { createTenantBackup } from '../fleet/backups.js'
import { rotateSuperAdminSecret, rotateTenantSigningKey } from '../operators/key-rotation.js'
import { resetOperatorTotp } from '../operators/lifecycle.js'
import { applyBatch } from '../tenancy/bulk-apply.js'
import { toTenantFilter, type FilterQuery } from '../tenancy/bulk-filter.js'
import { deleteTenant } from '../tenancy/deletion.js'

// What each approval kind runs, in one place: the console's own domain verbs, so an approved
// request changes exactly what the console would have (and audits it the same way).

/** What an executor needs beyond the audit context: the database handle (backups) and config. */
export type ExecutorDeps = { database: DatabaseHandle; config: Config }

/** The changes a request stores, per kind (the `change` column). */
export type ApprovalChange = {
  'tenant.delete': { tenantId: string }
  'tenant.bulk_suspend': { filter: FilterQuery; scope: TenantScope; count: number }
  'operator.totp_reset': { superAdminId: string }
  'secrets.rotate': { secret: 'signing_key'; kid: string | null } | { secret: 'super_admin_secret' }
}

export type ExecutionResult =
  { ok: true; result: Record<string, unknown> } | { ok: false; reason: string }

export type Executor<K extends ApprovalKind> = {
  /** The permission the requester must still hold when the request runs. */
  permission: Permission
  /**
   * The state of the target that the change was decided on (JSON). Taken at request time and
   * again before running: any difference makes the request stale. undefined = target gone.
   */
  guardOf(db: Db, change: ApprovalChange[K]): Promise<unknown>
  /** Runs the change as `context.actor` (the requester), with `context.approvedBy` set. */
  run(
    deps: ExecutorDeps,
    context: AuditContext,
    change: ApprovalChange[K],
    now: Date,
  ): Promise<ExecutionResult>
}

const tenantDelete: Executor<'tenant.delete'> = {
  permission: 'saas.tenants.delete',
  async guardOf(db, change) {
    const t = await findTenantById(db, change.tenantId)
    if (!t) return undefined
    return {
      name: t.name,
      status: t.status,
      protected: t.protected,
      updatedAt: t.updatedAt.toISOString(),
    }
  },
  async run({ database, config }, context, change, now) {
    const result = await deleteTenant(database.db, context, change.tenantId, {
      graceDays: config.purgeGraceDays,
      now,
      backup: (t) => createTenantBackup(database, config, context, t.id, 'pre_delete', { now }),
    })
    if (!result.ok) return { ok: false, reason: result.reason }
    return {
      ok: true,
      result: {
        backupId: result.backupId,
        purgeAfter: result.tenant.purgeAfter?.toISOString() ?? null,
      },
    }
  },
}

const bulkSuspend: Executor<'tenant.bulk_suspend'> = {
  permission: 'saas.tenants.suspend',
  // The set of matching tenants and each one's status: a tenant joining, leaving or changing
  // status since the request makes it stale (the approver approved that exact set).
  async guardOf(db, change) {
    const { filter, errors } = await toTenantFilter(db, change.filter)
    if (Object.keys(errors).length > 0) return undefined
    const ids = await listMatchingTenantIds(db, change.scope, filter)
    if (ids.length === 0) return { tenants: [] }
    const rows = await db
      .selectFrom('tenants')
      .select(['id', 'status'])
      .where('id', 'in', ids)
      .execute()
    const status = new Map(rows.map((r) => [r.id, r.status]))
    return { tenants: ids.map((id) => [id, status.get(id) ?? null]) }
  },
  async run({ database }, context, change, now) {
    if (!context.actor) return { ok: false, reason: 'no_actor' }
    const result = await applyBatch(
      database.db,
      { ...context, actor: context.actor },
      {
        change: { kind: 'suspend' },
        filter: change.filter,
        scope: change.scope,
        previewedCount: change.count,
        acceptedDrift: 0,
      },
      now,
    )
    if (!result.ok) return { ok: false, reason: result.reason }
    return { ok: true, result: { batchId: result.batchId, status: result.status } }
  },
}

const totpReset: Executor<'operator.totp_reset'> = {
  permission: 'saas.super_admins.manage',
  async guardOf(db, change) {
    const admin = await findSuperAdminById(db, change.superAdminId)
    if (!admin) return undefined
    return { mfaEnabled: admin.mfaEnabled, totpEnrolled: admin.totpSecretEncrypted !== null }
  },
  async run({ database }, context, change, now) {
    const result = await resetOperatorTotp(database.db, context, change.superAdminId, now)
    if (!result.ok) return { ok: false, reason: result.reason }
    return { ok: true, result: { sessionsEnded: result.sessionsEnded } }
  },
}

const secretsRotate: Executor<'secrets.rotate'> = {
  permission: 'saas.settings.edit',
  async guardOf(db, change) {
    if (change.secret === 'signing_key')
      return { kid: (await findActiveSigningKey(db))?.kid ?? null }
    return { cookieSecretCreatedAt: (await findCookieSecret(db))?.createdAt ?? null }
  },
  async run({ database, config }, context, change, now) {
    if (change.secret === 'signing_key') {
      const r = await rotateTenantSigningKey(database.db, context, config, change.kid, now)
      if (!r.ok) return { ok: false, reason: r.reason }
      const { kid, retiredKid, impersonationsEnded, kitSessionsEnded } = r
      return { ok: true, result: { kid, retiredKid, impersonationsEnded, kitSessionsEnded } }
    }
    const r = await rotateSuperAdminSecret(database.db, context, config, now)
    return { ok: true, result: { sessionsEnded: r.ok ? r.sessionsEnded : 0 } }
  },
}

/** kind → how to guard and run it. The API's tenant delete uses the same entry. */
export const EXECUTORS: { [K in ApprovalKind]: Executor<K> } = {
  'tenant.delete': tenantDelete,
  'tenant.bulk_suspend': bulkSuspend,
  'operator.totp_reset': totpReset,
  'secrets.rotate': secretsRotate,
}

/** JSON with object keys sorted: jsonb does not keep key order, so guards compare this way. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}
