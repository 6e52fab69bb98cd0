import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Database, FlagValue } from '../db/schema.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { isValidFlagValue } from './resolve.js'

// Per-tenant flag overrides (issue 9 item 3): the tenant page's toggle, the flag page and bulk
// changes (item 4) all set or clear an override through here, so each is audited alike.

export type OverrideRefusal =
  'flag_not_found' | 'flag_archived' | 'invalid_value' | 'tenant_not_found' | 'unchanged'

/** The override before and after the change; null = no override (the flag resolves by its rules). */
export type OverrideChange = DomainResult<
  {
    flagId: string
    before: { override: FlagValue | null; updatedAt: Date | null }
    after: { override: FlagValue | null; updatedAt: Date | null }
  },
  OverrideRefusal
>

/**
 * Sets (`value`) or clears (`null`) the tenant's override of the flag with `flagKey`, inside
 * the caller's transaction: the flag row is share-locked so it cannot be archived meanwhile.
 * Refuses an unknown or archived flag (an archived flag cannot be overridden), a value the flag
 * does not allow (boolean for boolean flags, a listed variant otherwise), an unknown or deleted
 * tenant, and a change that changes nothing. Audited as `flag.override.set` or
 * `flag.override.remove` with before/after; `context.batchId` ties it to a bulk batch.
 */
export async function setTenantOverrideIn(
  trx: Transaction<Database>,
  context: AuditContext,
  flagKey: string,
  tenantId: string,
  value: FlagValue | null,
  now: Date,
): Promise<OverrideChange> {
  const flag = await trx
    .selectFrom('feature_flags')
    .select(['id', 'key', 'type', 'variants', 'archived_at'])
    .where('key', '=', flagKey)
    .forShare()
    .executeTakeFirst()
  if (!flag) return refuse('flag_not_found')
  if (flag.archived_at) return refuse('flag_archived')
  if (value !== null && !isValidFlagValue(flag, value)) return refuse('invalid_value')
  const tenant = await trx
    .selectFrom('tenants')
    .select(['id', 'status'])
    .where('id', '=', tenantId)
    .forShare()
    .executeTakeFirst()
  if (!tenant || tenant.status === 'deleted') return refuse('tenant_not_found')
  const existing = await trx
    .selectFrom('feature_flag_overrides')
    .select(['value', 'updated_at'])
    .where('flag_id', '=', flag.id)
    .where('tenant_id', '=', tenantId)
    .forUpdate()
    .executeTakeFirst()
  const before = {
    override: existing?.value ?? null,
    updatedAt: existing?.updated_at ?? null,
  }
  if (before.override === value) return refuse('unchanged')
  if (value === null) {
    await trx
      .deleteFrom('feature_flag_overrides')
      .where('flag_id', '=', flag.id)
      .where('tenant_id', '=', tenantId)
      .execute()
  } else {
    await trx
      .insertInto('feature_flag_overrides')
      .values({
        flag_id: flag.id,
        tenant_id: tenantId,
        value: JSON.stringify(value),
        created_by: context.actor?.id ?? null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['flag_id', 'tenant_id']).doUpdateSet({
          value: JSON.stringify(value),
          created_by: context.actor?.id ?? null,
          updated_at: now,
        }),
      )
      .execute()
  }
  const after = { override: value, updatedAt: value === null ? null : now }
  await appendAuditEntry(
    trx,
    context,
    {
      action: value === null ? 'flag.override.remove' : 'flag.override.set',
      targetType: 'feature_flag',
      targetId: flag.key,
      tenantId,
      before,
      after,
    },
    now,
  )
  return { ok: true, flagId: flag.id, before, after }
}
