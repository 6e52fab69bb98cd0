import { sql } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { describeFinding, type SchemaFinding } from './findings.js'
import { withReferenceSchema } from './reference-schema.js'
import {
  planColumn,
  planConstraint,
  planIndex,
  planNullability,
  whyNoRepair,
  type PlanInput,
  type RepairPlan,
} from './repair-plans.js'
import { restoreMissingTables } from './repair-tables.js'
import { DELETED, lockSchema, tenantIsDeleted, withVia } from './repair-catalog.js'

/** The schema a repair works on, and its tenant (null for an orphan). */
export type RepairTarget = { schema: string; tenantId: string | null }

/** What became of one finding: re-added, or refused (nothing changed) with the reason. */
export type RepairOutcome = { finding: string; done: boolean; message: string }

// Tables first (columns, constraints and indexes on them come back with them), then columns and
// nullability, then constraints (a unique or primary key constraint brings its index), indexes.
const ORDER: SchemaFinding['kind'][] = [
  'missing_table',
  'missing_column',
  'column_nullability',
  'missing_constraint',
  'missing_index',
]

/** Whether repair can try this finding (it may still refuse once it reads the rows). */
export function isRepairable(f: SchemaFinding): boolean {
  return ORDER.includes(f.kind)
}

/**
 * Re-adds every repairable finding of one schema from the reference schema built by the tenant
 * migrations (`migrationDirs`, Config.tenantMigrationDirs), each in its own transaction with its
 * audit entry (`fleet.repair.<table|column|nullability|constraint|index>`, before/after), under
 * the schema's advisory lock. A repair that would lose or rewrite data is refused and changes
 * nothing; one whose DDL fails on current rows (a unique index over duplicates, a foreign key
 * with dangling rows) is rolled back and refused with PostgreSQL's reason. Type changes and
 * extra objects are refused without trying (issue 11 item 3). Missing tables are rebuilt all in
 * one transaction (src/fleet/repair-tables.ts). A deleted tenant's schema is left for restore:
 * every finding is refused, checked again under the row's share lock in each transaction.
 * @returns one outcome per finding, in the order tried
 */
export async function repairDrift(
  db: Db,
  context: AuditContext,
  target: RepairTarget,
  findings: readonly SchemaFinding[],
  migrationDirs: readonly string[],
): Promise<RepairOutcome[]> {
  if (await tenantIsDeleted(db, target.tenantId))
    return findings.map((f) => ({ finding: describeFinding(f), done: false, message: DELETED }))
  const refused = findings
    .filter((f) => !isRepairable(f))
    .map((f) => ({ finding: describeFinding(f), done: false, message: whyNoRepair(f) ?? '' }))
  const todo = [...findings.filter(isRepairable)].sort(
    (a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind),
  )
  if (todo.length === 0) return refused
  const outcomes = await withReferenceSchema(db, migrationDirs, async (reference) => {
    const input = { reference, schema: target.schema }
    const tables = todo.filter((f) => f.kind === 'missing_table')
    const done: RepairOutcome[] = []
    if (tables.length > 0)
      done.push(...(await restoreMissingTables(db, context, target, input, tables)))
    for (const f of todo.filter((f) => f.kind !== 'missing_table'))
      done.push(await repairOne(db, context, target, input, f))
    return done
  })
  return [...outcomes, ...refused]
}

async function planFor(db: Db, input: PlanInput, f: SchemaFinding): Promise<RepairPlan> {
  if (f.kind === 'missing_column') return planColumn(db, input, f)
  if (f.kind === 'column_nullability') return planNullability(db, input, f)
  if (f.kind === 'missing_constraint') return planConstraint(db, input, f)
  if (f.kind === 'missing_index') return planIndex(db, input, f)
  return { kind: 'refused', message: whyNoRepair(f) ?? 'no repair for this' }
}

async function repairOne(
  db: Db,
  context: AuditContext,
  target: RepairTarget,
  input: PlanInput,
  f: SchemaFinding,
): Promise<RepairOutcome> {
  const finding = describeFinding(f)
  try {
    return await db.transaction().execute(async (trx) => {
      await lockSchema(trx, target.schema)
      if (await tenantIsDeleted(trx, target.tenantId))
        return { finding, done: false, message: DELETED }
      const plan = await planFor(trx, input, f)
      if (plan.kind !== 'ddl') return { finding, done: false, message: plan.message }
      for (const statement of plan.statements) await sql.raw(statement).execute(trx)
      await appendAuditEntry(trx, context, {
        action: `fleet.repair.${plan.what}`,
        targetType: 'schema',
        targetId: target.schema,
        tenantId: target.tenantId,
        before: { finding, state: plan.before },
        after: withVia({ state: plan.after, ddl: plan.statements }, context),
      })
      return { finding, done: true, message: `re-added: ${plan.statements.join('; ')}` }
    })
  } catch (error) {
    const message = violationMessage(error, f)
    if (!message) throw error
    return { finding, done: false, message }
  }
}

const VIOLATIONS: Record<string, string> = {
  '23505': 'current rows have duplicate values',
  '23503': 'current rows point at rows that do not exist',
  '23514': 'current rows fail the check',
  '23502': 'current rows have no value',
}

/** A refusal for DDL that current rows make fail (rolled back), or undefined for other errors. */
function violationMessage(error: unknown, f: SchemaFinding): string | undefined {
  const e = error as { code?: string; detail?: string; message?: string }
  const why = e.code ? VIOLATIONS[e.code] : undefined
  if (!why) return undefined
  const name =
    f.kind === 'missing_constraint'
      ? f.constraint
      : f.kind === 'missing_index'
        ? f.index
        : describeFinding(f)
  return `${name} cannot be added: ${why}${e.detail ? ` (${e.detail})` : ''}; nothing was changed`
}
