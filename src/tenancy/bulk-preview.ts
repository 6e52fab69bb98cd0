import { countMatchingTenants, listPreviewTenants, type PreviewTenant } from '../db/bulk-batches.js'
import type { Db } from '../db/database.js'
import type { FeatureFlag } from '../db/flags.js'
import type { Plan } from '../db/plans.js'
import type { TenantFilter } from '../db/tenants.js'
import type { TenantScope } from '../db/tenant-scope.js'
import { resolveFlag } from '../flags/resolve.js'
import { flagValueText } from './bulk-filter.js'
import type { BulkChange } from './bulk-change-one.js'

// The preview of a bulk change (issue 9 item 4): how many tenants the filter matches and, for
// the first 100, what the change would do to each. Reads only; nothing is written.

export const PREVIEW_ROWS = 100

export type PreviewRow = {
  tenant: PreviewTenant
  before: string
  after: string
  /** `change`: it would change; `unchanged`: it already has it; `skip`: it cannot take it. */
  effect: 'change' | 'unchanged' | 'skip'
}

export type Preview = { count: number; rows: PreviewRow[] }

/** What the change does to one tenant, in words ("Free → Professional", "off (default) → on (override)"). */
export function describeEffect(
  change: BulkChange,
  tenant: PreviewTenant,
  plans: Plan[],
  flag?: FeatureFlag,
): Omit<PreviewRow, 'tenant'> {
  const planName = (id: string) => plans.find((p) => p.id === id)?.name ?? id
  if (tenant.status === 'deleted') return { before: 'deleted', after: 'deleted', effect: 'skip' }
  switch (change.kind) {
    case 'plan_change': {
      const before = planName(tenant.planId)
      const after = planName(change.planId)
      return { before, after, effect: tenant.planId === change.planId ? 'unchanged' : 'change' }
    }
    case 'flag_override': {
      const now = tenant.flag!
      const before = `${flagValueText(now.value)} (${now.why})`
      if (change.value === null) {
        const rules = resolveFlag(flag!, { tenantId: tenant.id, planId: tenant.planId })
        const after = `${flagValueText(rules.value)} (${rules.why})`
        return { before, after, effect: now.override === null ? 'unchanged' : 'change' }
      }
      const after = `${flagValueText(change.value)} (override)`
      return { before, after, effect: now.override === change.value ? 'unchanged' : 'change' }
    }
    case 'suspend':
    case 'activate': {
      const [from, to] =
        change.kind === 'suspend' ? ['active', 'suspended'] : ['suspended', 'active']
      if (tenant.status === to) return { before: to, after: to, effect: 'unchanged' }
      if (tenant.status !== from)
        return { before: tenant.status, after: tenant.status, effect: 'skip' }
      return { before: from, after: to, effect: 'change' }
    }
  }
}

/** The count and the first `PREVIEW_ROWS` tenants with before → after (two statements). */
export async function previewChange(
  db: Db,
  scope: TenantScope,
  filter: TenantFilter,
  change: BulkChange,
  plans: Plan[],
  flag?: FeatureFlag,
): Promise<Preview> {
  const [count, tenants] = await Promise.all([
    countMatchingTenants(db, scope, filter),
    listPreviewTenants(
      db,
      scope,
      filter,
      PREVIEW_ROWS,
      change.kind === 'flag_override' ? flag : undefined,
    ),
  ])
  return {
    count,
    rows: tenants.map((tenant) => ({ tenant, ...describeEffect(change, tenant, plans, flag) })),
  }
}
