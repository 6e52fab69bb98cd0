import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
} from 'kysely'
import { loadTenantMigrations } from '../db/migrate.js'
import type { PendingReport } from './fleet-migrations.js'

// The dry-run of a fleet migration (issue 11 item 4): which tenants, which migrations, and the
// SQL each would run, compiled by Kysely against a driver that executes nothing. Each pending
// migration's up() really runs, in this process: a tenant migration must only use the Kysely
// instance it is given (no fetch, files, other clients), or the dry-run would do that for real.
// Hence the dry-run needs saas.fleet.run (review finding 6 of issue 11).

/** Stands for each tenant's schema in the SQL shown. */
export const SCHEMA_PLACEHOLDER = 'tenant_<slug>'

export type DryRunMigration = {
  name: string
  /** Tenants that would run it. */
  tenants: number
  /** The statements, with the schema as SCHEMA_PLACEHOLDER; empty when `note` says why. */
  statements: string[]
  /** Set when the SQL cannot be shown exactly: the migration reads data or failed to compile. */
  note: string | null
}

export type DryRun = { report: PendingReport; migrations: DryRunMigration[] }

/** A query that reads: against a driver that returns no rows, what follows it may differ. */
function reads(query: CompiledQuery): boolean {
  return query.query.kind === 'SelectQueryNode' || /^\s*(select|with)\b/i.test(query.sql)
}

function withParameters(query: CompiledQuery): string {
  if (query.parameters.length === 0) return query.sql
  return `${query.sql} -- parameters: ${JSON.stringify(query.parameters)}`
}

/**
 * Compiles one migration's `up` with PostgreSQL's compiler into the statements it would send,
 * executing nothing (Kysely's DummyDriver).
 */
async function compileMigration(
  up: (db: Kysely<any>) => Promise<void>,
): Promise<Pick<DryRunMigration, 'statements' | 'note'>> {
  const captured: CompiledQuery[] = []
  const db = new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      if (event.level === 'query') captured.push(event.query)
    },
  })
  try {
    await up(db.withSchema(SCHEMA_PLACEHOLDER))
  } catch (error) {
    const statements = captured.map(withParameters)
    return { statements, note: `cannot be compiled without a database: ${String(error)}` }
  } finally {
    await db.destroy()
  }
  const statements = captured.map(withParameters)
  if (captured.some(reads))
    return {
      statements,
      note: 'reads data: the statements after a read depend on what each tenant holds',
    }
  return { statements, note: null }
}

/**
 * The dry-run (issue 11 item 4) of `report`: for each migration pending somewhere, how many
 * tenants would run it and its SQL. Changes nothing anywhere: the migrations run against a
 * Kysely whose driver executes nothing; the report was read from the catalog.
 * @throws as loadTenantMigrations
 */
export async function dryRunMigrations(
  report: PendingReport,
  migrationDirs: readonly string[],
): Promise<DryRun> {
  const modules = await loadTenantMigrations(migrationDirs)
  const migrations: DryRunMigration[] = []
  for (const { name, tenants } of report.migrations) {
    if (tenants === 0) continue
    migrations.push({ name, tenants, ...(await compileMigration(modules[name].up)) })
  }
  return { report, migrations }
}
