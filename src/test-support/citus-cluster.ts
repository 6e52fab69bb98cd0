import { sql } from 'kysely'
import pg from 'pg'
import { openDatabase } from '../db/database.js'
import { migratePlatform } from '../db/migrate.js'
import { nodeOfUrl, readClusterWorkers, urlFor } from '../db/test-citus.js'
import { openCitusTestDatabase } from '../db/test-database.js'

// Citus test databases in the shapes Fleetdeck may meet in production (issue 13), for
// Citus-only tests (TEST_CITUS_URL), on top of openCitusTestDatabase.

const APP_ROLE = 'fleetdeck_test_app'

/**
 * A Citus test database as Fleetdeck may find it: `sharding-on` makes every new schema
 * distributed by Citus itself, replays included; `app-role` connects as a non-superuser that
 * owns the database's objects (Citus needs schema ownership to distribute and move). Both use a
 * second handle whose connections open after the change.
 */
export async function openCluster(mode: 'superuser' | 'sharding-on' | 'app-role') {
  const owner = await openCitusTestDatabase({ migrate: mode !== 'app-role' })
  if (mode === 'superuser') return { database: owner, close: () => owner.close() }
  const url = new URL(owner.url!)
  const name = url.pathname.slice(1)
  if (mode === 'sharding-on') {
    await sql`alter database ${sql.id(name)} set citus.enable_schema_based_sharding = on`.execute(
      owner.db,
    )
  } else {
    await createAppRole(owner.url!)
    await sql`grant create on database ${sql.id(name)} to ${sql.id(APP_ROLE)}`.execute(owner.db)
    await sql`grant all on schema public to ${sql.id(APP_ROLE)}`.execute(owner.db)
    url.username = APP_ROLE
  }
  const database = await openDatabase({ url: url.toString(), dataDir: '', poolSize: 4 })
  if (mode === 'app-role') await migratePlatform(database.db)
  return { database, close: () => database.close().then(() => owner.close()) }
}

/** The non-superuser on every node (roles are per node; Citus propagation is not relied on). */
async function createAppRole(coordinatorUrl: string) {
  const nodes = [
    nodeOfUrl(coordinatorUrl),
    ...(await readClusterWorkers(process.env.TEST_CITUS_URL!)),
  ]
  for (const node of nodes) {
    const client = new pg.Client({ connectionString: urlFor(coordinatorUrl, node, 'postgres') })
    await client.connect()
    await client.query(`set citus.enable_ddl_propagation = off`).catch(() => undefined)
    await client.query(`do $$ begin create role ${APP_ROLE} login;
      exception when duplicate_object then null; end $$`)
    await client.end()
  }
}
