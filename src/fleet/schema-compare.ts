import type { SchemaShape } from '../db/schema-catalog.js'
import type { SchemaFinding } from './findings.js'

/**
 * What `actual` lacks or has beyond `reference` (issue 11 item 2): tables, columns (type,
 * nullability), indexes and constraints, each finding carrying the reference's definition so
 * repair can re-add it. Objects of a missing table are not listed again (the table finding
 * covers them). Column defaults are read but not compared: findings.ts has no kind for them.
 * Pure: both shapes come from readSchemaShapes.
 */
export function compareSchemaShapes(reference: SchemaShape, actual: SchemaShape): SchemaFinding[] {
  const findings: SchemaFinding[] = []
  for (const [table, columns] of reference.tables) {
    const present = actual.tables.get(table)
    if (!present) findings.push({ kind: 'missing_table', table })
    else findings.push(...compareColumns(table, columns, present))
  }
  for (const table of actual.tables.keys()) {
    if (!reference.tables.has(table)) findings.push({ kind: 'extra_table', table })
  }
  const shared = (table: string) => reference.tables.has(table) && actual.tables.has(table)
  for (const [index, { table, definition }] of reference.indexes) {
    if (shared(table) && !actual.indexes.has(index)) {
      findings.push({ kind: 'missing_index', table, index, definition })
    }
  }
  for (const [index, { table }] of actual.indexes) {
    if (shared(table) && !reference.indexes.has(index)) {
      findings.push({ kind: 'extra_index', table, index })
    }
  }
  for (const [key, { table, name, definition }] of reference.constraints) {
    if (shared(table) && !actual.constraints.has(key)) {
      findings.push({ kind: 'missing_constraint', table, constraint: name, definition })
    }
  }
  for (const [key, { table, name }] of actual.constraints) {
    if (shared(table) && !reference.constraints.has(key)) {
      findings.push({ kind: 'extra_constraint', table, constraint: name })
    }
  }
  return findings
}

function compareColumns(
  table: string,
  reference: SchemaShape['tables'] extends Map<string, infer C> ? C : never,
  actual: typeof reference,
): SchemaFinding[] {
  const findings: SchemaFinding[] = []
  for (const [column, expected] of reference) {
    const found = actual.get(column)
    if (!found) {
      findings.push({ kind: 'missing_column', table, column, expected })
      continue
    }
    if (found.type !== expected.type) {
      findings.push({
        kind: 'column_type',
        table,
        column,
        expected: expected.type,
        actual: found.type,
      })
    }
    if (found.nullable !== expected.nullable) {
      findings.push({
        kind: 'column_nullability',
        table,
        column,
        expected: expected.nullable,
        actual: found.nullable,
      })
    }
  }
  for (const column of actual.keys()) {
    if (!reference.has(column)) findings.push({ kind: 'extra_column', table, column })
  }
  return findings
}
