import type { Db } from './database.js'
import type { TenantHealth } from './schema.js'

/** A schema's result in the latest fleet check that found anything about it. */
export type StoredSchemaResult = {
  checkId: string
  checkedAt: Date
  health: TenantHealth
  /** Tenant migration names not applied, as the check found them. */
  pending: string[]
  /** SchemaFinding[] (src/fleet/findings.ts), as stored by the check. */
  findings: unknown[]
}

/**
 * The newest stored result of `schema` (fleet_check_results of the latest fleet_checks row that
 * has one), or undefined when no check has reported on it (issue 11 item 2 writes them).
 */
export async function findLatestSchemaResult(
  db: Db,
  schema: string,
): Promise<StoredSchemaResult | undefined> {
  const row = await db
    .selectFrom('fleet_check_results as r')
    .innerJoin('fleet_checks as c', 'c.id', 'r.check_id')
    .select(['r.check_id', 'c.finished_at', 'r.health', 'r.pending', 'r.findings'])
    .where('r.schema_name', '=', schema)
    .orderBy('c.finished_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    checkId: row.check_id,
    checkedAt: row.finished_at,
    health: row.health,
    pending: Array.isArray(row.pending) ? (row.pending as string[]) : [],
    findings: Array.isArray(row.findings) ? row.findings : [],
  }
}
