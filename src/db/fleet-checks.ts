import { sql, type Transaction } from 'kysely'
import type { SchemaFinding } from '../fleet/findings.js'
import type { Db } from './database.js'
import type { Database, TenantHealth, TenantStatus } from './schema.js'

// Writes of the fleet health check (issue 11 item 2): one fleet_checks row per check, one
// fleet_check_results row per schema checked, tenants.health in one statement, retention.

/** Fleet checks kept; older ones (and their results) are deleted by the check that stores a new one. */
export const FLEET_CHECKS_KEPT = 30
/** Single-tenant checks ("Check now", repair's re-check) kept. */
export const TENANT_CHECKS_KEPT = 1000

/** Every tenant with what the check needs (deleted ones too: their schema is not an orphan). */
export async function listCheckTargets(
  db: Db,
): Promise<{ id: string; slug: string; status: TenantStatus }[]> {
  return db.selectFrom('tenants').select(['id', 'slug', 'status']).orderBy('slug').execute()
}

export type StoredResult = {
  schema: string
  tenantId: string | null
  health: TenantHealth
  pending: string[]
  findings: SchemaFinding[]
}

export type NewFleetCheck = {
  id: string
  runId: string | null
  startedAt: Date
  finishedAt: Date
  /** Milliseconds the check took. */
  durationMs: number
  summary: Record<string, unknown> & { scope: 'fleet' | 'tenant' }
  results: readonly StoredResult[]
}

/**
 * Stores a check in one transaction: its fleet_checks row, a result per schema (1,000 per
 * statement), `tenants.health`/`health_checked_at` of every checked tenant in one UPDATE … FROM
 * unnest (a tenant found healthy again goes back to `healthy`), and drops checks beyond the
 * newest FLEET_CHECKS_KEPT fleet checks and TENANT_CHECKS_KEPT single-tenant ones. `within`
 * runs last in the same transaction (the audit entry of a check an operator asked for).
 */
export async function storeFleetCheck(
  db: Db,
  check: NewFleetCheck,
  within?: (trx: Transaction<Database>) => Promise<unknown>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('fleet_checks')
      .values({
        id: check.id,
        run_id: check.runId,
        started_at: check.startedAt,
        finished_at: check.finishedAt,
        duration_ms: Math.round(check.durationMs),
        summary: JSON.stringify(check.summary),
      })
      .execute()
    for (let i = 0; i < check.results.length; i += 1000) {
      const rows = check.results.slice(i, i + 1000).map((r) => ({
        check_id: check.id,
        schema_name: r.schema,
        tenant_id: r.tenantId,
        health: r.health,
        pending: JSON.stringify(r.pending),
        findings: JSON.stringify(r.findings),
      }))
      await trx.insertInto('fleet_check_results').values(rows).execute()
    }
    const tenants = check.results.filter((r) => r.tenantId !== null)
    if (tenants.length > 0) {
      await sql`
        update tenants set health = v.health, health_checked_at = ${check.finishedAt}
        from unnest(${tenants.map((r) => r.tenantId)}::uuid[], ${tenants.map((r) => r.health)}::text[])
          as v(id, health)
        where tenants.id = v.id`.execute(trx)
    }
    await sql`
      delete from fleet_checks where id in (
        select id from (
          select id, summary->>'scope' as scope,
            row_number() over (partition by summary->>'scope' order by finished_at desc) as n
          from fleet_checks) ranked
        where (scope = 'tenant' and n > ${TENANT_CHECKS_KEPT})
          or (scope is distinct from 'tenant' and n > ${FLEET_CHECKS_KEPT}))`.execute(trx)
    await within?.(trx)
  })
}
