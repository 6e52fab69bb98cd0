import { sql } from 'kysely'
import type { Db } from './database.js'

// API calls a tenant's app made per UTC day (issue 9 items 2 and 6), as the app reports them
// through the kit: the `api_calls_per_day` quota is checked against today's counter.

/** `at` as the UTC day the counters are kept by, `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10)
}

/**
 * Adds `calls` (a positive integer) to the tenant's counter for the UTC day of `at`, in one
 * atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), so concurrent reports all
 * count. Returns the day's total after the addition.
 */
export async function addApiCalls(db: Db, tenantId: string, calls: number, at: Date) {
  const row = await db
    .insertInto('tenant_api_usage')
    .values({ tenant_id: tenantId, day: utcDay(at), calls })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'day'])
        .doUpdateSet({ calls: sql`tenant_api_usage.calls + ${calls}` }),
    )
    .returning('calls')
    .executeTakeFirstOrThrow()
  return Number(row.calls)
}

/** The tenant's recorded API calls on the UTC day of `at`; 0 when none were recorded. */
export async function findApiCallsOn(db: Db, tenantId: string, at: Date): Promise<number> {
  const row = await db
    .selectFrom('tenant_api_usage')
    .select('calls')
    .where('tenant_id', '=', tenantId)
    .where('day', '=', utcDay(at))
    .executeTakeFirst()
  return row ? Number(row.calls) : 0
}
