import { Kysely, PostgresDialect } from 'kysely'
import { ConfigError, type Config } from '../config.js'
import { dataDirHolder } from './data-dir-lock.js'
import { createServerPool, openDatabase, poolStatsOf, type DatabaseHandle } from './database.js'
import { readEmbeddedEndpoint } from './embedded-socket.js'
import type { Database } from './schema.js'

/** A failure a CLI reports in one line (exit code 1), never with a stack trace. */
export class CliError extends Error {}

export type CliDatabase = {
  database: DatabaseHandle
  /** Where links the CLI prints point: PUBLIC_URL if set, else the running server's own. */
  publicUrl: string
}

/**
 * Opens the database for a CLI (`create-super-admin`, `audit:verify`, `seed`): PostgreSQL when
 * DATABASE_URL is set; otherwise the embedded database — through the running server when a live
 * Fleetdeck holds the data dir (it serves it on loopback, src/db/embedded-socket.ts), or the
 * files themselves when nobody does.
 * @throws CliError when a process holds the data dir without serving it
 */
export async function openCliDatabase(
  config: Config,
  options: { poolSize?: number } = {},
): Promise<CliDatabase> {
  const poolSize = options.poolSize ?? 2
  if (config.databaseUrl) {
    const database = await openDatabase({ url: config.databaseUrl, dataDir: '', poolSize })
    return { database, publicUrl: config.publicUrl }
  }
  const holder = dataDirHolder(config.dataDir)
  if (holder === undefined) {
    const database = await openDatabase({ url: undefined, dataDir: config.dataDir })
    return { database, publicUrl: config.publicUrl }
  }
  const endpoint = readEmbeddedEndpoint(config.dataDir)
  if (!endpoint || endpoint.pid !== holder) {
    throw new CliError(
      `the embedded database in ${config.dataDir} is in use by process ${holder}, which does not share it: stop that process, or use DATABASE_URL`,
    )
  }
  const url = `postgres://fleetdeck:${endpoint.password}@${endpoint.host}:${endpoint.port}/postgres`
  const pool = createServerPool(url, poolSize)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  try {
    await pool.query('select 1')
  } catch (error) {
    await db.destroy()
    throw new CliError(
      `the Fleetdeck server (process ${holder}) holds ${config.dataDir} but does not answer: ${(error as Error).message}`,
    )
  }
  const database: DatabaseHandle = {
    db,
    kind: 'pglite',
    citus: null,
    connections: poolSize,
    withDedicatedConnection: (work) => work(db),
    schedulerDb: db,
    jobDb: db,
    poolStats: () => poolStatsOf(pool, poolSize),
    close: () => db.destroy(),
  }
  return { database, publicUrl: config.publicUrlExplicit ? config.publicUrl : endpoint.publicUrl }
}

/**
 * Makes every failure of the CLI `name` one line on stderr and exit code 1: a known refusal
 * (`CliError`, a bad setting, a locked data dir) says what to do; nothing prints a stack trace.
 * Call it first in a script.
 */
export function reportCliFailures(name: string): void {
  const fail = (error: unknown) => {
    const text =
      error instanceof ConfigError
        ? error.problems.join('; ')
        : error instanceof Error
          ? error.message
          : String(error)
    console.error(`${name}: ${text.replace(/\s*\n\s*/g, ' ')}`)
    process.exit(1)
  }
  process.on('uncaughtException', fail)
  process.on('unhandledRejection', fail)
}
