import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { ApprovalKind } from '../db/schema.js'
import { getCachedSetting, invalidateSettingsCache } from '../db/settings.js'
import type { DomainResult } from '../domain-result.js'

// Dual control (issue 14 item 6, seed 003 "approval process"): owners choose per action kind
// whether a second operator must approve it. Stored as one settings row; default all off.

export const APPROVAL_KINDS: readonly ApprovalKind[] = [
  'tenant.delete',
  'tenant.bulk_suspend',
  'operator.totp_reset',
  'secrets.rotate',
]

/** What each kind is called on the policy page and in lists. */
export const APPROVAL_KIND_LABELS: Record<ApprovalKind, string> = {
  'tenant.delete': 'Deleting a tenant',
  'tenant.bulk_suspend': 'Suspending tenants in bulk',
  'operator.totp_reset': "Resetting an operator's TOTP",
  'secrets.rotate': 'Rotating the signing key or the super-admin secret',
}

export type ApprovalPolicy = Record<ApprovalKind, boolean>

export const APPROVAL_POLICY_SETTING = 'approvals.policy'

/** The stored JSON read defensively: any kind missing or not `true` is off. */
function toPolicy(value: unknown): ApprovalPolicy {
  const stored = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>
  return Object.fromEntries(APPROVAL_KINDS.map((k) => [k, stored[k] === true])) as ApprovalPolicy
}

/**
 * The policy as the row says now (not cached): for the settings page and the audited change.
 * @returns kind → true when that kind needs a second operator's approval
 */
export async function getApprovalPolicy(db: Db): Promise<ApprovalPolicy> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', APPROVAL_POLICY_SETTING)
    .executeTakeFirst()
  return toPolicy(row?.value)
}

/**
 * True when `kind` needs a second operator's approval. Read through the settings cache (at most
 * SETTINGS_TTL_MS old on other instances; this instance drops its copy when the policy changes).
 * @param nowMs the app clock, in milliseconds since the epoch
 */
export async function approvalRequired(
  db: Db,
  kind: ApprovalKind,
  nowMs: number,
): Promise<boolean> {
  return toPolicy(await getCachedSetting(db, APPROVAL_POLICY_SETTING, nowMs))[kind]
}

/**
 * Replaces the policy, audited `settings.approvals` with before/after in the same transaction.
 * @returns whether anything changed (an unchanged save writes nothing and audits nothing)
 */
export async function setApprovalPolicy(
  db: Db,
  context: AuditContext,
  policy: ApprovalPolicy,
  updatedBy: string,
  now: Date,
): Promise<DomainResult<{ changed: boolean }>> {
  const changed = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('settings')
      .select('value')
      .where('key', '=', APPROVAL_POLICY_SETTING)
      .forUpdate()
      .executeTakeFirst()
    const before = toPolicy(row?.value)
    if (APPROVAL_KINDS.every((k) => before[k] === policy[k])) return false
    const value = JSON.stringify(policy)
    await trx
      .insertInto('settings')
      .values({ key: APPROVAL_POLICY_SETTING, value, updated_at: now, updated_by: updatedBy })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: updatedBy }),
      )
      .execute()
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.approvals',
        targetType: 'settings',
        targetId: APPROVAL_POLICY_SETTING,
        before,
        after: policy,
      },
      now,
    )
    return true
  })
  invalidateSettingsCache()
  return { ok: true, changed }
}
