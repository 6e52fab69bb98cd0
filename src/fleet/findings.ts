// What a fleet health check finds in one tenant schema, compared with the reference schema
// built from the tenant migrations (issue 11 item 2). Stored as JSON in
// fleet_check_results.findings; read by repair (src/fleet/repair.ts), which re-adds what is
// missing where that loses nothing, from the `expected` definition carried here.

/** A column as the reference defines it: enough to add it again. */
export type ColumnDefinition = {
  name: string
  /** format_type(): `text`, `integer`, `timestamp with time zone`, `character varying(255)`. */
  type: string
  nullable: boolean
  /** pg_get_expr of the default, or null. */
  default: string | null
}

export type SchemaFinding =
  /** A reference table the schema lacks. */
  | { kind: 'missing_table'; table: string }
  /** A table the reference lacks (reported, never dropped by repair). */
  | { kind: 'extra_table'; table: string }
  | { kind: 'missing_column'; table: string; column: string; expected: ColumnDefinition }
  | { kind: 'extra_column'; table: string; column: string }
  | { kind: 'column_type'; table: string; column: string; expected: string; actual: string }
  | {
      kind: 'column_nullability'
      table: string
      column: string
      expected: boolean
      actual: boolean
    }
  /** `definition`: pg_get_indexdef with the reference schema's name replaced by `{schema}`. */
  | { kind: 'missing_index'; table: string; index: string; definition: string }
  | { kind: 'extra_index'; table: string; index: string }
  /** `definition`: pg_get_constraintdef (schema-qualified names as `{schema}`). */
  | { kind: 'missing_constraint'; table: string; constraint: string; definition: string }
  | { kind: 'extra_constraint'; table: string; constraint: string }
  /**
   * On a Citus coordinator: the schema is an ordinary local schema there, not in pg_dist_schema
   * (issue 13 item 3). Repair distributes it (src/fleet/repair-distribute.ts).
   */
  | { kind: 'schema_not_distributed' }

/** One line for an operator: "column attachments.file_size is missing". */
export function describeFinding(f: SchemaFinding): string {
  switch (f.kind) {
    case 'missing_table':
      return `table ${f.table} is missing`
    case 'extra_table':
      return `table ${f.table} is not in the migrations`
    case 'missing_column':
      return `column ${f.table}.${f.column} is missing`
    case 'extra_column':
      return `column ${f.table}.${f.column} is not in the migrations`
    case 'column_type':
      return `column ${f.table}.${f.column} is ${f.actual}, expected ${f.expected}`
    case 'column_nullability':
      return `column ${f.table}.${f.column} is ${f.actual ? 'nullable' : 'NOT NULL'}, expected ${f.expected ? 'nullable' : 'NOT NULL'}`
    case 'missing_index':
      return `index ${f.index} on ${f.table} is missing`
    case 'extra_index':
      return `index ${f.index} on ${f.table} is not in the migrations`
    case 'missing_constraint':
      return `constraint ${f.constraint} on ${f.table} is missing`
    case 'extra_constraint':
      return `constraint ${f.constraint} on ${f.table} is not in the migrations`
    case 'schema_not_distributed':
      return 'schema is local on the Citus coordinator, not distributed'
  }
}
