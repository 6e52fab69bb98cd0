import type { Db } from '../db/database.js'
import { listCheckTargets } from '../db/fleet-checks.js'
import type { SchemaShape } from '../db/schema-catalog.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import type { TenantHealth, TenantStatus } from '../db/schema.js'
import type { SchemaFinding } from './findings.js'

/** One schema's verdict. `tenantId`/`slug` are null for an orphan schema. */
export type SchemaHealth = {
  tenantId: string | null
  slug: string | null
  health: TenantHealth
  /** Tenant migrations not applied, in order (all of them for a missing schema). */
  pending: string[]
  findings: SchemaFinding[]
}

/** Counts per health, plus schemas and tenants checked; `scope` tells a fleet check from one tenant's. */
export type HealthSummary = Record<TenantHealth, number> & {
  scope: 'fleet' | 'tenant'
  schemas: number
  tenants: number
}

/** A schema the check looks at: a tenant's (not deleted) or an orphan's (no tenant row). */
export type CheckTarget = {
  schema: string
  tenantId: string | null
  slug: string | null
  status?: TenantStatus
}

/**
 * The rule of issue 11 item 2, in order: orphan (no tenant row), stuck (provisioning/failed,
 * whatever the schema holds), missing (no schema), drift (any finding against the migrations
 * it applied), behind (migrations pending), healthy.
 */
export function verdict(
  target: CheckTarget,
  shape: SchemaShape | undefined,
  pending: string[],
  findings: SchemaFinding[],
): TenantHealth {
  if (!target.tenantId) return 'orphan'
  if (target.status === 'provisioning' || target.status === 'failed') return 'stuck'
  if (!shape) return 'missing'
  if (findings.length > 0) return 'drift'
  return pending.length > 0 ? 'behind' : 'healthy'
}

/** Counts per health of `results`. */
export function summarise(
  results: Map<string, SchemaHealth>,
  scope: HealthSummary['scope'],
): HealthSummary {
  const summary: HealthSummary = {
    scope,
    schemas: results.size,
    tenants: 0,
    healthy: 0,
    missing: 0,
    behind: 0,
    drift: 0,
    stuck: 0,
    orphan: 0,
  }
  for (const r of results.values()) {
    summary[r.health] += 1
    if (r.tenantId) summary.tenants += 1
  }
  return summary
}

/**
 * Who the check looks at: every tenant not deleted, and every present `tenant_*` schema no tenant
 * row owns (deleted tenants own theirs: present during the grace period by design); only
 * `schemas` when given.
 */
export async function listTargets(
  db: Db,
  presentSchemas: ReadonlySet<string>,
  schemas?: readonly string[],
): Promise<CheckTarget[]> {
  const wanted = schemas && new Set(schemas)
  const tenants = await listCheckTargets(db)
  const owned = new Set(tenants.map((t) => tenantSchemaName(t.slug)))
  const targets: CheckTarget[] = tenants
    .filter((t) => t.status !== 'deleted')
    .map((t) => ({
      schema: tenantSchemaName(t.slug),
      tenantId: t.id,
      slug: t.slug,
      status: t.status,
    }))
  for (const schema of presentSchemas) {
    if (!owned.has(schema)) targets.push({ schema, tenantId: null, slug: null })
  }
  return wanted ? targets.filter((t) => wanted.has(t.schema)) : targets
}
