import type { Db } from '../db/database.js'
import { appendAuditEntry } from '../db/audit-log.js'

// The two flags the example app's story needs (issue 9 items 5 and 6), made by `npm run demo`
// when absent: `drawings-beta` off for everyone until an operator turns it on for a tenant, and
// `board-export` included in the Professional and Enterprise plans.

type DemoFlag = {
  key: string
  description: string
  planValues: Record<string, boolean>
}

export const DEMO_FLAGS: DemoFlag[] = [
  {
    key: 'drawings-beta',
    description: 'The Drawings page of the example app (beta): off until turned on for a tenant.',
    planValues: {},
  },
  {
    key: 'board-export',
    description:
      'Export the board as CSV in the example app: included in Professional and Enterprise.',
    planValues: { professional: true, enterprise: true },
  },
]

/**
 * Creates each of DEMO_FLAGS that does not exist yet (a boolean flag, default off, with its plan
 * values), audited as `flag.created` by no operator (the demo seed), each in one transaction.
 * An existing flag is left exactly as an operator may have changed it.
 * @returns the keys created now
 */
export async function ensureDemoFlags(db: Db, now = new Date()): Promise<string[]> {
  const created: string[] = []
  for (const flag of DEMO_FLAGS) {
    const made = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('feature_flags')
        .values({
          key: flag.key,
          description: flag.description,
          type: 'boolean',
          default_value: 'false',
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('id')
        .executeTakeFirst()
      if (!row) return false
      for (const [planId, value] of Object.entries(flag.planValues))
        await trx
          .insertInto('feature_flag_plan_values')
          .values({ flag_id: row.id, plan_id: planId, value: JSON.stringify(value) })
          .execute()
      await appendAuditEntry(
        trx,
        { actor: null },
        {
          action: 'flag.created',
          targetType: 'flag',
          targetId: row.id,
          before: null,
          after: {
            key: flag.key,
            type: 'boolean',
            defaultValue: false,
            planValues: flag.planValues,
          },
        },
        now,
      )
      return true
    })
    if (made) created.push(flag.key)
  }
  return created
}
