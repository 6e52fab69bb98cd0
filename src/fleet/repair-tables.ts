import { sql } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { SchemaFinding } from './findings.js'
import {
  DELETED,
  listForeignKeys,
  lockSchema,
  requalify,
  tableExists,
  tenantIsDeleted,
  withVia,
} from './repair-catalog.js'
import { ident, type PlanInput } from './repair-plans.js'
import type { RepairOutcome, RepairTarget } from './repair-schema.js'

type MissingTable = Extract<SchemaFinding, { kind: 'missing_table' }>

/**
 * Rebuilds missing tables from the reference schema, all in ONE transaction with their audit
 * entries (`fleet.repair.table`): each reference table is moved into the tenant schema
 * (`ALTER TABLE … SET SCHEMA` takes its indexes, constraints and owned sequences along), then
 * the moved tables' foreign keys, which still point into the reference, are re-made to point at
 * the tenant's own tables. Foreign keys of the tenant's other tables that pointed at a dropped
 * table are missing_constraint findings, repaired after this. A table that is there now is left
 * alone. New tables are empty: nothing is lost (issue 11 item 3).
 */
export async function restoreMissingTables(
  db: Db,
  context: AuditContext,
  target: RepairTarget,
  { reference, schema }: PlanInput,
  findings: readonly MissingTable[],
): Promise<RepairOutcome[]> {
  return db.transaction().execute(async (trx) => {
    await lockSchema(trx, schema)
    if (await tenantIsDeleted(trx, target.tenantId))
      return findings.map((f) => ({
        finding: `table ${f.table} is missing`,
        done: false,
        message: DELETED,
      }))
    const outcomes: RepairOutcome[] = []
    const moved: string[] = []
    for (const { table } of findings) {
      const finding = `table ${table} is missing`
      if (await tableExists(trx, schema, table)) {
        outcomes.push({ finding, done: false, message: `table ${table} is there now` })
      } else if (!(await tableExists(trx, reference, table))) {
        outcomes.push({ finding, done: false, message: `the migrations no longer define ${table}` })
      } else {
        await sql
          .raw(`alter table ${ident(reference)}.${ident(table)} set schema ${ident(schema)}`)
          .execute(trx)
        moved.push(table)
      }
    }
    for (const table of moved) {
      const foreignKeys = await repointForeignKeys(trx, reference, schema, table)
      await appendAuditEntry(trx, context, {
        action: 'fleet.repair.table',
        targetType: 'schema',
        targetId: schema,
        tenantId: target.tenantId,
        before: { table, present: false },
        after: withVia({ table, present: true, foreignKeys }, context),
      })
      outcomes.push({
        finding: `table ${table} is missing`,
        done: true,
        message: `re-created ${table} (empty) from the migrations`,
      })
    }
    return outcomes
  })
}

/** Re-adds the moved table's foreign keys against the tenant's tables; returns their definitions. */
async function repointForeignKeys(
  db: Db,
  reference: string,
  schema: string,
  table: string,
): Promise<string[]> {
  const definitions: string[] = []
  for (const fk of await listForeignKeys(db, schema, table)) {
    const definition = requalify(fk.definition, reference, schema)
    const on = `alter table ${ident(schema)}.${ident(table)}`
    await sql.raw(`${on} drop constraint ${ident(fk.name)}`).execute(db)
    await sql.raw(`${on} add constraint ${ident(fk.name)} ${definition}`).execute(db)
    definitions.push(`${fk.name} ${definition}`)
  }
  return definitions
}
