import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from './database.js'
import { migratePlatform } from './migrate.js'
import {
  createCitusDatabase,
  dropCitusDatabase,
  manageCitusPublicTables,
  parseCitusTestEnv,
  readClusterWorkers,
  type CitusTestEnv,
} from './test-citus.js'

/**
 * A migrated database of its own for one test file: embedded PGlite in memory by default, or a
 * fresh database `fleetdeck_test_<random>` on the server of TEST_DATABASE_URL, dropped (with
 * every tenant schema in it) by `close()`. With TEST_CITUS_WORKERS set too, that server is a
 * Citus coordinator and the database is made on every node with Citus set up in it
 * (src/db/test-citus.ts); TEST_CITUS_PUBLIC=managed then puts the public tables under Citus.
 */
export async function openTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  const migrate = options.migrate ?? true
  const serverUrl = process.env.TEST_DATABASE_URL
  if (!serverUrl) {
    const handle = await openDatabase({ url: undefined, dataDir: 'memory://' })
    if (migrate) await migratePlatform(handle.db)
    return handle
  }
  return openServerTestDatabase(serverUrl, parseCitusTestEnv(process.env), migrate)
}

/**
 * A fresh Citus database on the cluster of TEST_CITUS_URL, whatever TEST_DATABASE_URL says: for
 * Citus-only tests (`describe.skipIf(!process.env.TEST_CITUS_URL)`). Workers come from
 * TEST_CITUS_WORKERS, else from pg_dist_node of the TEST_CITUS_URL database.
 * @throws Error when TEST_CITUS_URL is unset
 */
export async function openCitusTestDatabase(
  options: { migrate?: boolean; publicManaged?: boolean } = {},
): Promise<DatabaseHandle> {
  const coordinatorUrl = process.env.TEST_CITUS_URL
  if (!coordinatorUrl) throw new Error('openCitusTestDatabase needs TEST_CITUS_URL')
  const env = parseCitusTestEnv(process.env)
  const workers = env?.workers ?? (await readClusterWorkers(coordinatorUrl))
  const publicManaged = options.publicManaged ?? env?.publicManaged ?? false
  return openServerTestDatabase(coordinatorUrl, { workers, publicManaged }, options.migrate ?? true)
}

async function openServerTestDatabase(
  serverUrl: string,
  citus: CitusTestEnv | null,
  migrate: boolean,
): Promise<DatabaseHandle> {
  const name = `fleetdeck_test_${randomBytes(6).toString('hex')}`
  if (citus) await createCitusDatabase(serverUrl, name, citus.workers)
  else await withAdminClient(serverUrl, (client) => client.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const drop = citus
    ? () => dropCitusDatabase(serverUrl, name, citus.workers)
    : () =>
        withAdminClient(serverUrl, (client) =>
          client.query(`drop database if exists ${name} with (force)`),
        )
  const handle = await openDatabase({ url: url.toString(), dataDir: '', poolSize: 4 }).catch(
    async (error: unknown) => {
      await drop()
      throw error
    },
  )
  if (migrate) await migratePlatform(handle.db)
  if (migrate && citus?.publicManaged) await manageCitusPublicTables(url.toString())
  return {
    ...handle,
    async close() {
      await handle.close()
      await drop()
    },
  }
}

async function withAdminClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
