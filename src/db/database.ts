import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { detectCitus, type CitusInfo } from '../fleet/citus.js'
import { processLogger } from '../observability/logger.js'
import { lockDataDir } from './data-dir-lock.js'
import { shareEmbeddedDatabase } from './embedded-socket.js'
import type { Database } from './schema.js'

// int8 (counts, byte sizes, sequence numbers) as JS numbers: every value we keep stays far
// below 2^53. numeric stays a string; queries cast sums to bigint.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))
// A `date` is a calendar day, not an instant: keep `YYYY-MM-DD` rather than local midnight.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)

export type Db = Kysely<Database>

export type DatabaseHandle = {
  db: Db
  kind: 'postgres' | 'pglite'
  /**
   * The server's postgres:// URL (PostgreSQL only): `pg_dump` connects with it, through
   * environment variables, never the command line (src/fleet/backups.ts).
   */
  url?: string
  /** The embedded instance (PGlite only): its own `pg_dump` reads through it (backups). */
  pglite?: PGlite
  /**
   * Citus on the coordinator (issue 13 item 1), detected once when the database is opened: the
   * extension's version, the sharding setting and the node count then. Null on a plain server
   * and on PGlite. Pages that show live node sizes ask src/fleet/citus.ts themselves.
   */
  citus: CitusInfo | null
  /** Statements the database runs at once: the pool size on a server, 1 for PGlite. */
  connections: number
  /**
   * Runs `work` on a connection of its own, closed afterwards. Fleet-wide jobs that touch every
   * tenant schema use it so the catalog cache they grow dies with them (DESIGN.md §3). On the
   * embedded database there is one connection, so `work` gets the shared one.
   */
  withDedicatedConnection<T>(work: (db: Db) => Promise<T>): Promise<T>
  /**
   * The scheduler's connections, outside the app pool: each running periodic task pins one for
   * its advisory lock and run record (src/db/scheduler-runs.ts), so tasks never take
   * connections from requests, and the pool's utilisation on /system is the requests' own. On
   * PostgreSQL a pool of up to SCHEDULER_CONNECTIONS, opened as tasks run and closed when idle;
   * on PGlite the one shared connection (the scheduler takes no lock there).
   */
  schedulerDb: Db
  /**
   * The job runner's connections, outside the app pool (issue 11 item 1): claims, lease renewals,
   * settles and the handlers' own work (src/jobs/runner.ts), so a fleet migration of 2,000
   * tenants never takes connections from requests. On PostgreSQL a pool of `jobWorkers` + 1 (one
   * per item in flight, one for the runner's claims and lease renewals), opened as items run and
   * closed when idle; on PGlite the one shared connection.
   */
  jobDb: Db
  /** The app pool right now (issue 10: /system and /metrics). */
  poolStats(): PoolStats
  close(): Promise<void>
}

/**
 * Connections of the app's pool: `max` it may open, `total` open now, `idle` of those, and
 * `waiting` requests queued for one. In use = total - idle.
 */
export type PoolStats = { max: number; total: number; idle: number; waiting: number }

/** A `pg` pool's counters as PoolStats. */
export function poolStatsOf(pool: pg.Pool, max: number): PoolStats {
  return { max, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }
}

export type DatabaseOptions = {
  /** postgres:// URL; undefined selects the embedded PGlite. */
  url: string | undefined
  /** PGlite data directory, or `memory://` for a throwaway database. */
  dataDir: string
  /** Pool size on a server (default 10). */
  poolSize?: number
  /** Job items run at once (JOB_WORKERS; default 8, the most a run may ask): sizes `jobDb`. */
  jobWorkers?: number
  /**
   * The server sets this: the embedded database is then also served to local CLIs, which reach
   * it through this process while it holds the data dir (src/db/embedded-socket.ts).
   */
  shareWithClis?: { publicUrl: string }
}

/**
 * Opens the platform database: PostgreSQL through `pg` when `url` is set, otherwise PGlite
 * (PostgreSQL in WASM, ~3 s to start) in `dataDir`. Both sit under the same Kysely dialect.
 * @throws when the server is unreachable or the data directory cannot be opened.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10, options.jobWorkers ?? 8)
  return openPglite(options.dataDir, options.shareWithClis)
}

/** Periodic tasks that may run at once on one instance, each holding a scheduler connection. */
export const SCHEDULER_CONNECTIONS = 8

async function openPostgres(
  url: string,
  poolSize: number,
  jobWorkers: number,
): Promise<DatabaseHandle> {
  const pool = createServerPool(url, poolSize)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  await pool.query('select 1')
  const citus = await detectCitus(db)
  const schedulerDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createServerPool(url, SCHEDULER_CONNECTIONS) }),
  })
  // pg opens a pool's connections on first use and closes them when idle: nothing until a job runs.
  const jobDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createServerPool(url, jobWorkers + 1) }),
  })
  return {
    db,
    schedulerDb,
    jobDb,
    kind: 'postgres',
    url,
    citus,
    connections: poolSize,
    async withDedicatedConnection(work) {
      const ownPool = createServerPool(url, 1)
      const own = new Kysely<Database>({ dialect: new PostgresDialect({ pool: ownPool }) })
      try {
        return await work(own)
      } finally {
        await own.destroy()
      }
    },
    poolStats: () => poolStatsOf(pool, poolSize),
    async close() {
      await jobDb.destroy()
      await schedulerDb.destroy()
      await db.destroy()
    },
  }
}

/** How long a new connection to the server may take before the request that wanted it fails. */
const CONNECT_TIMEOUT_MS = 5_000

/**
 * A `pg` pool that survives the server dropping its connections (restart, failover,
 * `pg_terminate_backend`). `pg` emits `error` on a client whose socket dies; with no listener
 * Node ends the process. The pool listens on idle clients itself; a client checked out by a
 * request has none, so every client gets one at `connect`. The query in flight still fails
 * (its request answers 500), and the pool drops the broken client when it is released
 * (pg-pool checks `_queryable`), so the next request gets a fresh connection.
 */
export function createServerPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  })
  pool.on('connect', (client) => client.on('error', logLostConnection))
  // The same error reaches the pool when the client was idle; it is logged once, above.
  pool.on('error', () => {})
  return pool
}

function logLostConnection(error: Error): void {
  processLogger().warn({ error: error.message }, 'database connection lost')
}

async function openPglite(
  dataDir: string,
  share: DatabaseOptions['shareWithClis'],
): Promise<DatabaseHandle> {
  const inMemory = dataDir.startsWith('memory://')
  const unlock = inMemory ? () => {} : lockDataDir(dataDir)
  const lite = await PGlite.create({ dataDir, extensions: { pg_trgm } }).catch((error) => {
    unlock()
    throw error
  })
  const pool = new pg.Pool(createPgConfig(lite) as pg.PoolConfig)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const stopSharing =
    share && !inMemory
      ? await shareEmbeddedDatabase(lite, pool, { dataDir, publicUrl: share.publicUrl })
      : async () => {}
  return {
    db,
    kind: 'pglite',
    pglite: lite,
    citus: null,
    connections: 1,
    withDedicatedConnection: (work) => work(db),
    schedulerDb: db,
    jobDb: db,
    poolStats: () => poolStatsOf(pool, 1),
    async close() {
      await stopSharing()
      await db.destroy()
      await lite.close()
      unlock()
    },
  }
}
