import type { Db } from '../db/database.js'
import type { SchemaFinding } from './findings.js'
import {
  countNullRows,
  countTableRows,
  readColumn,
  readConstraint,
  readIndexDefinition,
  requalify,
  tableExists,
} from './repair-catalog.js'

// What re-adding one drift finding would run, decided from the reference schema and the tenant's
// catalog (issue 11 item 3): the DDL when it loses nothing, or why not in the operator's words.
// Identifiers come from the catalog and are quoted; types, defaults and definitions come from
// the reference schema the tenant migrations built, never from stored or submitted text.

/** One repair's DDL and what the audit entry records around it. */
export type RepairPlan =
  | { kind: 'ddl'; what: string; statements: string[]; before: unknown; after: unknown }
  /** Refused: doing it would lose or rewrite data, or cannot be done from the reference. */
  | { kind: 'refused'; message: string }
  /** Nothing to do: it is there now (re-added with a constraint, or by someone else). */
  | { kind: 'present'; message: string }

export type PlanInput = { reference: string; schema: string }

/** `"name"`, doubled quotes inside: for names read from the catalog. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

const qualified = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`

type Finding<K extends SchemaFinding['kind']> = Extract<SchemaFinding, { kind: K }>

/** Why a finding has no repair at all (type changes, extra objects); undefined when it may. */
export function whyNoRepair(f: SchemaFinding): string | undefined {
  if (f.kind === 'column_type')
    return `changing ${f.table}.${f.column} from ${f.actual} to ${f.expected} would rewrite the column and may lose data: change it with a migration`
  if (f.kind === 'schema_not_distributed') return 'repair with “Distribute schema” under Repairs'
  if (f.kind.startsWith('extra_'))
    return 'not in the migrations: repair never drops anything; drop it by hand if it is not needed'
  return undefined
}

export async function planColumn(
  db: Db,
  { reference, schema }: PlanInput,
  f: Finding<'missing_column'>,
): Promise<RepairPlan> {
  if (!(await tableExists(db, schema, f.table)))
    return { kind: 'refused', message: `table ${f.table} is missing: re-add the table first` }
  if (await readColumn(db, schema, f.table, f.column))
    return { kind: 'present', message: `column ${f.table}.${f.column} is there now` }
  const def = await readColumn(db, reference, f.table, f.column)
  if (!def) return { kind: 'refused', message: `the migrations no longer define ${f.column}` }
  if (def.default?.includes('nextval('))
    return {
      kind: 'refused',
      message: `${f.table}.${f.column} takes its values from a sequence: re-add it with a migration`,
    }
  if (!def.nullable && def.default === null) {
    const rows = await countTableRows(db, schema, f.table)
    if (rows > 0)
      return {
        kind: 'refused',
        message: `${f.table} has ${rows} rows and no default for ${f.column}: a NOT NULL column cannot be added to them`,
      }
  }
  const defaultSql =
    def.default === null ? '' : ` default ${requalify(def.default, reference, schema)}`
  const statement = `alter table ${qualified(schema, f.table)} add column ${ident(f.column)} ${def.type}${defaultSql}${def.nullable ? '' : ' not null'}`
  return { kind: 'ddl', what: 'column', statements: [statement], before: null, after: def }
}

export async function planNullability(
  db: Db,
  { schema }: PlanInput,
  f: Finding<'column_nullability'>,
): Promise<RepairPlan> {
  const column = `${qualified(schema, f.table)} alter column ${ident(f.column)}`
  const before = { nullable: f.actual }
  if (f.expected)
    return {
      kind: 'ddl',
      what: 'nullability',
      statements: [`alter table ${column} drop not null`],
      before,
      after: { nullable: true },
    }
  const nulls = await countNullRows(db, schema, f.table, f.column)
  if (nulls > 0)
    return {
      kind: 'refused',
      message: `${nulls} rows of ${f.table} have no ${f.column}: fill them before it can be NOT NULL`,
    }
  return {
    kind: 'ddl',
    what: 'nullability',
    statements: [`alter table ${column} set not null`],
    before,
    after: { nullable: false },
  }
}

export async function planConstraint(
  db: Db,
  { reference, schema }: PlanInput,
  f: Finding<'missing_constraint'>,
): Promise<RepairPlan> {
  if (!(await tableExists(db, schema, f.table)))
    return { kind: 'refused', message: `table ${f.table} is missing: re-add the table first` }
  if (await readConstraint(db, schema, f.table, f.constraint))
    return { kind: 'present', message: `constraint ${f.constraint} is there now` }
  const def = await readConstraint(db, reference, f.table, f.constraint)
  if (!def) return { kind: 'refused', message: `the migrations no longer define ${f.constraint}` }
  const definition = requalify(def.definition, reference, schema)
  const statement = `alter table ${qualified(schema, f.table)} add constraint ${ident(f.constraint)} ${definition}`
  return {
    kind: 'ddl',
    what: 'constraint',
    statements: [statement],
    before: null,
    after: { definition },
  }
}

export async function planIndex(
  db: Db,
  { reference, schema }: PlanInput,
  f: Finding<'missing_index'>,
): Promise<RepairPlan> {
  if (!(await tableExists(db, schema, f.table)))
    return { kind: 'refused', message: `table ${f.table} is missing: re-add the table first` }
  if (await readIndexDefinition(db, schema, f.index))
    return { kind: 'present', message: `index ${f.index} is there now` }
  const def = await readIndexDefinition(db, reference, f.index)
  if (!def) return { kind: 'refused', message: `the migrations no longer define ${f.index}` }
  const definition = requalify(def, reference, schema)
  return {
    kind: 'ddl',
    what: 'index',
    statements: [definition],
    before: null,
    after: { definition },
  }
}
