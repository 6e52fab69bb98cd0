import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from './database.js'
import { migratePlatform } from './migrate.js'

/**
 * A migrated database of its own for one test file: embedded PGlite in memory by default, or a
 * fresh database `fleetdeck_test_<random>` on the server of TEST_DATABASE_URL, dropped (with
 * every tenant schema in it) by `close()`.
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
  const name = `fleetdeck_test_${randomBytes(6).toString('hex')}`
  await withAdminClient(serverUrl, (client) => client.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const handle = await openDatabase({ url: url.toString(), dataDir: '', poolSize: 4 })
  if (migrate) await migratePlatform(handle.db)
  return {
    ...handle,
    async close() {
      await handle.close()
      await withAdminClient(serverUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      )
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
