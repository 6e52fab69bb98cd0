// Throwaway databases for scripts/bench/citus.ts: on a plain server one database; on a Citus
// coordinator the same database on every node with the extension and the nodes registered, as
// the tests make them (src/db/test-citus.ts), dropped from every node afterwards.
import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import {
  createCitusDatabase,
  dropCitusDatabase,
  nodeOfUrl,
  readClusterWorkers,
  urlFor,
} from '../../src/db/test-citus.js'

/** Whether the database at `url` has the citus extension. */
async function hasCitus(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rowCount } = await client.query(`select 1 from pg_extension where extname = 'citus'`)
    return (rowCount ?? 0) > 0
  } finally {
    await client.end()
  }
}

/** Opens a fresh database on the server of `url` (on every node if it is Citus), drops it after. */
export async function withThrowaway(url: string, work: (handle: DatabaseHandle) => Promise<void>) {
  const name = `fleetdeck_bench_citus_${process.pid}`
  const workers = (await hasCitus(url)) ? await readClusterWorkers(url) : null
  const admin = async (q: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query(q).finally(() => client.end())
  }
  if (workers) await createCitusDatabase(url, name, workers)
  else await admin(`create database ${name}`)
  const handle = await openDatabase({
    url: urlFor(url, nodeOfUrl(url), name),
    dataDir: '',
    poolSize: 6,
  })
  try {
    await work(handle)
  } finally {
    await handle.close()
    if (workers) await dropCitusDatabase(url, name, workers)
    else await admin(`drop database if exists ${name} with (force)`)
  }
}
