import { sql } from 'kysely'
import type { SchemaFinding } from '../fleet/findings.js'
import type { Db } from './database.js'
import type { TenantHealth, TenantStatus } from './schema.js'

// Reads of stored health checks (issue 11 item 2) for /fleet, the tenant page and the CLI.

export type FleetCheck = {
  id: string
  runId: string | null
  startedAt: Date
  finishedAt: Date
  /** Milliseconds the check took. */
  durationMs: number
  /** Counts per health, `schemas`, `tenants` (HealthSummary, src/fleet/health-check.ts). */
  summary: Partial<Record<TenantHealth | 'schemas' | 'tenants', number>>
}

export type CheckResult = {
  checkId: string
  checkedAt: Date
  schema: string
  tenantId: string | null
  slug: string | null
  tenantStatus: TenantStatus | null
  health: TenantHealth
  pending: string[]
  findings: SchemaFinding[]
}

/** Results /fleet lists at most (listCheckResults' default limit). */
export const RESULTS_SHOWN = 500

/** Failures first: what /fleet and the CLI list in this order (issue 11 item 2). */
export const HEALTH_ORDER: readonly TenantHealth[] = [
  'missing',
  'orphan',
  'drift',
  'behind',
  'stuck',
  'healthy',
]

/** The newest whole-fleet check (single-tenant checks are not one), or undefined before the first. */
export async function findLatestFleetCheck(db: Db): Promise<FleetCheck | undefined> {
  const row = await db
    .selectFrom('fleet_checks')
    .selectAll()
    .where(sql<boolean>`summary->>'scope' is distinct from 'tenant'`)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    id: row.id,
    runId: row.run_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    summary: row.summary as FleetCheck['summary'],
  }
}

function resultsQuery(db: Db) {
  return db
    .selectFrom('fleet_check_results as r')
    .innerJoin('fleet_checks as c', 'c.id', 'r.check_id')
    .leftJoin('tenants as t', 't.id', 'r.tenant_id')
    .select([
      'r.check_id as checkId',
      'c.finished_at as checkedAt',
      'r.schema_name as schema',
      'r.tenant_id as tenantId',
      't.slug as slug',
      't.status as tenantStatus',
      'r.health as health',
      'r.pending as pending',
      'r.findings as findings',
    ])
}

/**
 * Results of check `checkId`: those of `health` when given, else every unhealthy one; failures
 * first (HEALTH_ORDER), then by schema name; at most `limit`.
 */
export async function listCheckResults(
  db: Db,
  checkId: string,
  filter: { health?: TenantHealth; limit?: number } = {},
): Promise<CheckResult[]> {
  const rank = sql<number>`array_position(${HEALTH_ORDER}::text[], r.health)`
  let query = resultsQuery(db).where('r.check_id', '=', checkId)
  query = filter.health
    ? query.where('r.health', '=', filter.health)
    : query.where('r.health', '<>', 'healthy')
  const rows = await query
    .orderBy(rank)
    .orderBy('r.schema_name')
    .limit(filter.limit ?? RESULTS_SHOWN)
    .execute()
  return rows as CheckResult[]
}

/** A tenant's newest stored result (fleet or single-tenant check), or undefined if never checked. */
export async function findLatestTenantResult(
  db: Db,
  tenantId: string,
): Promise<CheckResult | undefined> {
  const row = await resultsQuery(db)
    .where('r.tenant_id', '=', tenantId)
    .orderBy('c.finished_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row as CheckResult | undefined
}

/** The id of a health_check job run still running or paused, if any. */
export async function findOpenHealthCheckRun(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('job_runs')
    .select('id')
    .where('kind', '=', 'health_check')
    .where('status', 'in', ['running', 'paused'])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.id
}
