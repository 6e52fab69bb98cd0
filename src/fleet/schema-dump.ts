import { pgDump } from '@electric-sql/pglite-tools/pg_dump'
import { spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import { sql, type Transaction } from 'kysely'
import type { DatabaseHandle } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { prepareDumpForReplay } from './dump-text.js'
import { assertNothingOutside, changesOutside, resetSequences } from './replay-guard.js'

// A logical dump of ONE schema as plain SQL, and its replay inside a transaction (issue 11
// item 5). `--inserts --rows-per-insert=500` rather than COPY: PGlite's pg_dump always writes
// INSERTs, and a COPY … FROM stdin block cannot be sent as a query by `pg` or the embedded
// adapter, so one restore path — the whole text as one simple-protocol query in the caller's
// transaction — serves both engines and rolls back as a whole.

const DUMP_ARGS = ['--no-owner', '--no-privileges', '--inserts', '--rows-per-insert=500']

/** `pg_dump`'s binary: PG_DUMP_PATH, else `pg_dump` on PATH (Debian: postgresql-client). */
const PG_DUMP = process.env.PG_DUMP_PATH ?? 'pg_dump'

/**
 * The dump of `schema` as a stream of SQL text: `pg_dump -n schema` on PostgreSQL (the password
 * travels in PGPASSWORD, never on the command line), PGlite's pg_dump on the embedded database.
 * @throws when pg_dump cannot start or exits non-zero (its stderr in the message)
 */
export async function dumpSchema(database: DatabaseHandle, schema: string): Promise<Readable> {
  if (database.pglite) return Readable.from([await dumpEmbedded(database, schema)])
  if (!database.url) throw new Error('no connection URL to dump from')
  return dumpServer(database.url, schema)
}

function dumpServer(url: string, schema: string): Readable {
  const child = spawn(PG_DUMP, [...DUMP_ARGS, '--schema', schema], {
    env: dumpEnv(url),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`pg_dump exited ${code}: ${stderr.trim()}`)),
    )
  })
  // The stream fails when pg_dump does, so a truncated dump never becomes a backup.
  return Readable.from(
    (async function* () {
      for await (const chunk of child.stdout) yield chunk as Buffer
      await exited
    })(),
  )
}

/**
 * pg_dump's whole environment: PATH, HOME, LANG, LC_* and the PG* variables of this process,
 * then libpq's for `url` (connectionEnv). Nothing else reaches the child — not
 * FLEETDECK_SECRET_KEY, DATABASE_URL or any other secret (review finding 5).
 */
export function dumpEnv(url: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const kept = Object.entries(env).filter(
    ([name, value]) =>
      value !== undefined && (/^(PATH|HOME|LANG)$/.test(name) || /^(LC_|PG)/.test(name)),
  )
  return { ...(Object.fromEntries(kept) as Record<string, string>), ...connectionEnv(url) }
}

/** libpq's environment for `url`: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE. */
export function connectionEnv(url: string): Record<string, string> {
  const u = new URL(url)
  const env: Record<string, string> = {
    PGHOST: u.searchParams.get('host') ?? decodeURIComponent(u.hostname || 'localhost'),
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username || 'postgres'),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1) || 'postgres'),
  }
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password)
  const sslmode = u.searchParams.get('sslmode')
  if (sslmode) env.PGSSLMODE = sslmode
  return env
}

/**
 * PGlite has ONE session, shared with every request. The dump runs while this holds the pool's
 * only connection (no query interleaves), and afterwards undoes what pg_dump leaves behind: its
 * read-only snapshot transaction is never committed, and its SETs are session-wide.
 * pglite-tools deletes every line starting `\restrict`/`\unrestrict` from its output, row data
 * included (0.4.8; review finding 1): with standard_conforming_strings off, pg_dump doubles every
 * backslash in a value, so no line of row data can start with a single backslash.
 */
async function dumpEmbedded(database: DatabaseHandle, schema: string): Promise<string> {
  const lite = database.pglite!
  return database.db.connection().execute(async () => {
    try {
      await lite.exec('set standard_conforming_strings = off')
      const file = await pgDump({ pg: lite, args: [...DUMP_ARGS, '--schema', schema] })
      return await file.text()
    } finally {
      await lite.exec('rollback; reset all')
    }
  })
}

/**
 * Replays a dump of `schema` inside `trx`: the header's session settings become
 * transaction-local (prepareDumpForReplay), the caller's search_path is set back afterwards, and
 * the body's two session SETs (default_tablespace, default_table_access_method) are reset, so
 * nothing outlives the transaction on a pooled or the embedded connection. A guard then checks
 * that the replay created or changed nothing outside `schema` (src/fleet/replay-guard.ts).
 * @throws the database's error for the first failing statement, or the guard's (the caller
 * rolls back)
 */
export async function replayDump(
  trx: Transaction<Database>,
  dump: string,
  schema: string,
): Promise<void> {
  const { rows } = await sql<{
    path: string
  }>`select current_setting('search_path') as path`.execute(trx)
  // The dump's header empties search_path too; the guard expects it still empty afterwards.
  await sql`select set_config('search_path', '', true)`.execute(trx)
  const before = await changesOutside(trx, schema)
  // PGlite's dumps quote backslashes the pre-standard way (dumpEmbedded): one warning each.
  await sql`select set_config('escape_string_warning', 'off', true)`.execute(trx)
  const prepared = prepareDumpForReplay(dump)
  // The server parses the whole text before its first SET runs, so the quoting rule of the
  // dump's header must be in force already.
  const strings = prepared.standardConformingStrings ?? 'on'
  await sql`select set_config('standard_conforming_strings', ${strings}, true)`.execute(trx)
  await sql.raw(prepared.text).execute(trx)
  const after = await changesOutside(trx, schema)
  // Session-wide SETs (role, search_path) undone whatever the guard finds (second review 2).
  for (const name of ['role', 'search_path', 'default_tablespace', 'default_table_access_method'])
    await sql`reset ${sql.raw(name)}`.execute(trx)
  // What the transaction does next (its audit entry) needs the caller's search_path.
  await sql`select set_config('search_path', ${rows[0].path}, true)`.execute(trx)
  await resetSequences(trx, before, after)
  assertNothingOutside(schema, before, after)
}
