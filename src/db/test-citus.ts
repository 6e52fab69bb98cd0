import pg from 'pg'

// Test databases on a Citus cluster (issue 13 item 8). Citus keeps its metadata per database, so
// a fresh test database must exist on the coordinator AND on every worker, with the extension in
// each, and the coordinator must learn the nodes inside that database before the app's handle
// opens (start-up detection then sees Citus). Test support only: the app's own Citus SQL lives
// in src/fleet/citus.ts.

/** A PostgreSQL node of the cluster, as citus_add_node names it. */
export type CitusNodeAddress = { host: string; port: number }

/** What the Citus test variables ask for; null when tests run on a plain server. */
export type CitusTestEnv = {
  workers: CitusNodeAddress[]
  /** TEST_CITUS_PUBLIC=managed: public tables added to Citus metadata after migratePlatform. */
  publicManaged: boolean
}

/**
 * Reads TEST_CITUS_WORKERS (`host:port,host:port`) and TEST_CITUS_PUBLIC (`managed` or unset).
 * @returns null when TEST_CITUS_WORKERS is unset or blank: nothing changes then
 * @throws Error naming the variable when a value is malformed (a typo must not silently run the
 *   suite on a plain database)
 */
export function parseCitusTestEnv(env: Record<string, string | undefined>): CitusTestEnv | null {
  const raw = env.TEST_CITUS_WORKERS?.trim()
  if (!raw) return null
  const workers = raw.split(',').map((entry) => parseNodeAddress(entry.trim()))
  const mode = env.TEST_CITUS_PUBLIC?.trim() ?? ''
  if (mode !== '' && mode !== 'managed') {
    throw new Error(`TEST_CITUS_PUBLIC must be "managed" or unset, not "${mode}"`)
  }
  return { workers, publicManaged: mode === 'managed' }
}

/** `host:port` → address. @throws Error on a missing host or a port outside 1–65535 */
export function parseNodeAddress(entry: string): CitusNodeAddress {
  const match = /^([^\s:]+):(\d{1,5})$/.exec(entry)
  const port = match ? Number(match[2]) : 0
  if (!match || port < 1 || port > 65535) {
    throw new Error(`TEST_CITUS_WORKERS: "${entry}" is not host:port`)
  }
  return { host: match[1]!, port }
}

/** The node a postgres:// URL points at (port 5432 when the URL names none). */
export function nodeOfUrl(url: string): CitusNodeAddress {
  const parsed = new URL(url)
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : 5432 }
}

/** `url` with its host, port and database replaced. */
export function urlFor(url: string, node: CitusNodeAddress, database: string): string {
  const parsed = new URL(url)
  parsed.hostname = node.host
  parsed.port = String(node.port)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/**
 * Creates `name` on the coordinator of `coordinatorUrl` and on each worker, creates the citus
 * extension in each, and registers coordinator and workers in the new database. ~1–3 s.
 * @throws the server's error; what was created is dropped again first
 */
export async function createCitusDatabase(
  coordinatorUrl: string,
  name: string,
  workers: readonly CitusNodeAddress[],
): Promise<void> {
  const coordinator = nodeOfUrl(coordinatorUrl)
  try {
    for (const node of [coordinator, ...workers]) {
      await withClient(urlFor(coordinatorUrl, node, 'postgres'), (c) =>
        c.query(`create database ${name}`),
      )
      await withClient(urlFor(coordinatorUrl, node, name), (c) =>
        c.query('create extension if not exists citus'),
      )
    }
    // Test files register nodes in parallel: Citus syncs roles into the workers' shared catalogs,
    // and two syncs at once fail with "tuple concurrently updated" (seen in a full suite run).
    // A session advisory lock in the coordinator's `postgres` database takes turns.
    await withClient(urlFor(coordinatorUrl, coordinator, 'postgres'), async (lock) => {
      await lock.query('select pg_advisory_lock(1300013)')
      await registerNodes(urlFor(coordinatorUrl, coordinator, name), coordinator, workers)
    })
  } catch (error) {
    await dropCitusDatabase(coordinatorUrl, name, workers)
    throw error
  }
}

async function registerNodes(
  url: string,
  coordinator: CitusNodeAddress,
  workers: readonly CitusNodeAddress[],
) {
  await withClient(url, async (c) => {
    await c.query('select citus_set_coordinator_host($1, $2)', [coordinator.host, coordinator.port])
    for (const w of workers) await c.query('select citus_add_node($1, $2)', [w.host, w.port])
  })
}

/** Drops `name` from the coordinator, then from every worker (force: pooled links die too). */
export async function dropCitusDatabase(
  coordinatorUrl: string,
  name: string,
  workers: readonly CitusNodeAddress[],
): Promise<void> {
  for (const node of [nodeOfUrl(coordinatorUrl), ...workers]) {
    await withClient(urlFor(coordinatorUrl, node, 'postgres'), (c) =>
      c.query(`drop database if exists ${name} with (force)`),
    )
  }
}

/**
 * Adds every `public` table not yet in Citus metadata as a Citus local table, with the tables
 * its foreign keys reach (the "public tables Citus-managed" mode of the README). Loops because
 * one call may add several tables through the cascade.
 */
export async function manageCitusPublicTables(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (c) => {
    let added = 0
    for (;;) {
      const { rows } = await c.query<{ name: string }>(`
        select c.oid::regclass::text as name from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
          and not c.relispartition
          and not exists (select 1 from pg_dist_partition p where p.logicalrelid = c.oid)
        order by 1 limit 1`)
      if (!rows[0]) return added
      await c.query(
        'select citus_add_local_table_to_metadata($1::regclass, cascade_via_foreign_keys => true)',
        [rows[0].name],
      )
      added++
    }
  })
}

/** The workers the `postgres` database at `coordinatorUrl` knows (pg_dist_node, shard holders). */
export async function readClusterWorkers(coordinatorUrl: string): Promise<CitusNodeAddress[]> {
  return withClient(coordinatorUrl, async (c) => {
    const { rows } = await c.query<{ host: string; port: number }>(`
      select nodename as host, nodeport as port from pg_dist_node
      where isactive and noderole = 'primary' and groupid <> 0 order by nodeport`)
    return rows
  })
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
