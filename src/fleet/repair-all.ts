import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  applyPendingMigrations,
  recreateTenantSchema,
  reseedTenantRoles,
  type RepairOptions,
} from './repair.js'
import { distributeSchema } from './repair-distribute.js'
import { isRepairable, repairDrift, type RepairOutcome } from './repair-schema.js'
import type { SchemaState } from './schema-state.js'

const REASONS: Record<string, string> = {
  not_found: 'the tenant no longer exists',
  tenant_deleted: 'the tenant is deleted: restore it first',
  schema_present: 'the schema is there now',
  schema_missing: 'the schema is missing: recreate it first',
  no_citus: 'not running on Citus: there is nothing to distribute',
}

/** One line for an operator from a repair verb's refusal. */
export function describeRepairRefusal(result: { reason: string; error?: string }): string {
  return result.reason === 'failed'
    ? `failed: ${result.error}`
    : (REASONS[result.reason] ?? result.reason)
}

const NOT_DISTRIBUTED = 'the schema is local on the Citus coordinator'

type VerbResult = { ok: true } | { ok: false; reason: string; error?: string }

function outcome(finding: string, result: VerbResult, done: string): RepairOutcome {
  return result.ok
    ? { finding, done: true, message: done }
    : { finding, done: false, message: describeRepairRefusal(result) }
}

/**
 * Every loss-free repair of one schema, in order (issue 11 item 3; seed 000's
 * `fix_missing_tenant_databases.py recreate`): a missing schema is recreated (and then is what
 * the migrations build, so only the Citus distribute follows); otherwise pending migrations are applied,
 * drift is re-added from the reference where that loses nothing, missing roles re-seeded, and
 * a schema left local on a Citus coordinator distributed (issue 13 item 3).
 * Each step is its own audited verb; refusals say why. An orphan gets nothing here (adopt or
 * drop it); a deleted tenant is left for restore.
 * @returns one outcome per thing tried or refused
 */
export async function repairLossFree(
  db: Db,
  context: AuditContext,
  state: SchemaState,
  options: RepairOptions,
): Promise<RepairOutcome[]> {
  const { tenant } = state
  if (!tenant)
    return [
      { finding: 'no tenant owns this schema', done: false, message: 'adopt or drop the orphan' },
    ]
  if (tenant.status === 'deleted')
    return [
      { finding: `tenant ${tenant.slug} is deleted`, done: false, message: REASONS.tenant_deleted },
    ]
  if (!state.exists) return recreateAndDistribute(db, context, tenant.id, options)
  const outcomes: RepairOutcome[] = []
  if (state.pending.length > 0) {
    const result = await applyPendingMigrations(db, context, tenant.id, options)
    const what = `${state.pending.length} tenant migrations are pending`
    outcomes.push(outcome(what, result, `applied ${result.ok ? result.applied.join(', ') : ''}`))
    if (!result.ok) return outcomes
  }
  const drift = state.findings.filter((f) => f.kind !== 'schema_not_distributed')
  if (drift.length > 0) {
    const target = { schema: state.schema, tenantId: tenant.id }
    outcomes.push(...(await repairDrift(db, context, target, drift, options.migrationDirs)))
  }
  if (state.rolesIncomplete) {
    const result = await reseedTenantRoles(db, context, tenant.id)
    outcomes.push(outcome('roles are missing', result, 'roles re-seeded'))
  }
  // Last: the schema is whole before Citus takes it over (DDL after that is propagated anyway).
  if (drift.length < state.findings.length) {
    const result = await distributeSchema(db, context, tenant.id)
    outcomes.push(outcome(NOT_DISTRIBUTED, result, 'distributed with citus_schema_distribute'))
  }
  return outcomes
}

/** Recreate, then on Citus distribute, so the new schema does not stay local to a second pass. */
async function recreateAndDistribute(
  db: Db,
  context: AuditContext,
  tenantId: string,
  options: RepairOptions,
): Promise<RepairOutcome[]> {
  const result = await recreateTenantSchema(db, context, tenantId, options)
  const recreated = outcome(
    'the schema is missing',
    result,
    'recreated through the onboarding steps',
  )
  const distributed = result.ok ? await distributeSchema(db, context, tenantId) : undefined
  if (!distributed || (!distributed.ok && distributed.reason === 'no_citus')) return [recreated]
  return [
    recreated,
    outcome(NOT_DISTRIBUTED, distributed, 'distributed with citus_schema_distribute'),
  ]
}

/** Whether a state has anything `repairLossFree` would try. */
export function hasLossFreeRepair(state: SchemaState): boolean {
  if (!state.tenant || state.tenant.status === 'deleted') return false
  return (
    !state.exists ||
    state.pending.length > 0 ||
    state.rolesIncomplete ||
    state.findings.some((f) => isRepairable(f) || f.kind === 'schema_not_distributed')
  )
}
