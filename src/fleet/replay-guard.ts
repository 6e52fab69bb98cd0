import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

// Defence in depth for replaying a dump (issue 11 item 5, review finding 1; second review,
// item 2): whatever the dump text does, it may only create, change or drop objects and rows
// inside its own schema, and must leave the session's role and search_path alone. The primary
// defence is that prepareDumpForReplay never edits row data; this catches what slips past it.

/** What lies outside `schema`: each catalog's state (see readOutside), and row writes. */
export type ChangesOutside = {
  states: Record<string, string>
  rowWrites: number
  /** Sequences outside `schema`: quoted name → [last_value or null if never called, start]. */
  sequences: Record<string, [string | null, string]>
}

// Rows NOT belonging to the target: tied to its namespace oid (ns) or to its relations (rels:
// its own, their TOAST tables and the TOAST tables' indexes). `true`: every row is outside.
const CATALOGS: [string, string][] = [
  ['pg_namespace', 'oid not in (select oid from ns)'],
  ['pg_class', 'oid not in (select oid from rels)'],
  ['pg_attribute', 'attrelid not in (select oid from rels)'],
  ['pg_proc', 'pronamespace not in (select oid from ns)'],
  ['pg_type', 'typnamespace not in (select oid from ns)'],
  ['pg_trigger', 'tgrelid not in (select oid from rels)'],
  ['pg_attrdef', 'adrelid not in (select oid from rels)'],
  ['pg_constraint', 'connamespace not in (select oid from ns)'],
  ['pg_index', 'indrelid not in (select oid from rels)'],
  ['pg_policy', 'polrelid not in (select oid from rels)'],
  ['pg_rewrite', 'ev_class not in (select oid from rels)'],
  ['pg_operator', 'oprnamespace not in (select oid from ns)'],
  ['pg_cast', 'true'],
  ['pg_auth_members', 'true'],
  ['pg_db_role_setting', 'true'],
  ['pg_default_acl', 'true'],
  ['pg_event_trigger', 'true'],
]

// A delete or an insert outside changes the count; an update outside leaves a row whose xmin
// is this transaction. pg_roles is a view (no xmin): its rows are hashed instead.
const STATES = [
  ...CATALOGS.map(
    ([name, outside]) => `select '${name}' as k, count(*) || '/' ||
      count(*) filter (where x.xmin = (select xid from me)) as v
      from pg_catalog.${name} x where ${outside}`,
  ),
  `select 'pg_roles', md5(string_agg(r::text, ',' order by r.oid)) from pg_catalog.pg_roles r`,
  `select 'role', current_user || '/' || session_user`,
  `select 'search_path', current_setting('search_path')`,
].join('\nunion all ')

/**
 * The state outside `schema`, for the catalogs of CATALOGS (rows not belonging to it, and how
 * many of those this transaction wrote), pg_roles (a hash), the last values of sequences
 * outside it, current_user/session_user and search_path; plus the rows this transaction
 * inserted, updated or deleted in tables outside `schema` (pg_stat_xact_user_tables). Compare
 * a reading before the replay with one after it (assertNothingOutside).
 */
export async function changesOutside(
  trx: Transaction<Database>,
  schema: string,
): Promise<ChangesOutside> {
  const { rows } = await sql<{ k: string; v: string | null }>`
    with me as (select pg_catalog.pg_current_xact_id()::xid as xid),
    ns as (select oid from pg_catalog.pg_namespace where nspname = ${schema}),
    own as (select oid, reltoastrelid from pg_catalog.pg_class
            where relnamespace in (select oid from ns)),
    toast as (select reltoastrelid as oid from own where reltoastrelid <> 0),
    rels as (select oid from own union all select oid from toast
             union all select indexrelid from pg_catalog.pg_index
             where indrelid in (select oid from toast))
    ${sql.raw(STATES)}`.execute(trx)
  const writes = await sql<{ n: string | null }>`
    select sum(n_tup_ins + n_tup_upd + n_tup_del)::text as n
    from pg_catalog.pg_stat_xact_user_tables where schemaname <> ${schema}`.execute(trx)
  const seqs = await sql<{ name: string; v: string | null; start: string }>`
    select quote_ident(schemaname) || '.' || quote_ident(sequencename) as name,
      last_value::text as v, start_value::text as start
    from pg_catalog.pg_sequences where schemaname <> ${schema} order by 1`.execute(trx)
  const sequences = Object.fromEntries(
    seqs.rows.map((r) => [r.name, [r.v, r.start] as [string | null, string]]),
  )
  const states = Object.fromEntries(rows.map((r) => [r.k, r.v ?? '']))
  states.pg_sequences = JSON.stringify(sequences)
  return { states, rowWrites: Number(writes.rows[0].n ?? 0), sequences }
}

/**
 * @throws an Error naming what the replay changed outside `schema` — the catalogs whose state
 * differs, `role`, `search_path`, the row writes (the caller's transaction then rolls back)
 */
export function assertNothingOutside(
  schema: string,
  before: ChangesOutside,
  after: ChangesOutside,
): void {
  const keys = Object.keys({ ...before.states, ...after.states })
  const changed = keys.filter((k) => before.states[k] !== after.states[k])
  const writes = after.rowWrites - before.rowWrites
  if (changed.length === 0 && writes === 0) return
  const what = [...changed, ...(writes ? [`${writes} row writes`] : [])].join(', ')
  throw new Error(`the dump changed objects outside ${schema}: ${what}; nothing was restored`)
}

/**
 * Sets back the sequences outside the schema that the replay moved (setval and nextval are not
 * undone by a rollback): each to its `before` last_value, or to its start, never called.
 */
export async function resetSequences(
  trx: Transaction<Database>,
  before: ChangesOutside,
  after: ChangesOutside,
): Promise<void> {
  for (const [name, [value, start]] of Object.entries(before.sequences)) {
    const now = after.sequences[name] // dropped here: the rollback brings it back unmoved
    if (!now || now[0] === value) continue
    await sql`select pg_catalog.setval(${name}::regclass, ${value ?? start}::bigint, ${
      value !== null
    })`.execute(trx)
  }
}
