import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

// Defence in depth for replaying a dump (issue 11 item 5, review finding 1): whatever the dump
// text does, it may only create or change objects and rows inside its own schema. The primary
// defence is that prepareDumpForReplay never edits row data; this catches what slips past it.

/** What this transaction has changed outside `schema` so far: catalog objects and row writes. */
export type ChangesOutside = { objects: string[]; rowWrites: number }

/**
 * Objects of pg_namespace, pg_class, pg_proc and pg_type outside `schema` created or altered by
 * the current transaction (their xmin is its xid; pg_toast holds the schema's own TOAST tables),
 * and the rows it inserted, updated or deleted in tables outside `schema`
 * (pg_stat_xact_user_tables). Compare a reading before the replay with one after it.
 */
export async function changesOutside(
  trx: Transaction<Database>,
  schema: string,
): Promise<ChangesOutside> {
  const { rows } = await sql<{ object: string }>`
    with me as (select pg_current_xact_id()::xid as xid),
    ns as (select oid, nspname from pg_catalog.pg_namespace
           where nspname <> ${schema} and nspname <> 'pg_toast')
    select 'schema ' || n.nspname as object from pg_catalog.pg_namespace n, me
      where n.xmin = me.xid and n.nspname <> ${schema}
    union all select 'relation ' || ns.nspname || '.' || c.relname
      from pg_catalog.pg_class c join ns on ns.oid = c.relnamespace, me where c.xmin = me.xid
    union all select 'function ' || ns.nspname || '.' || p.proname
      from pg_catalog.pg_proc p join ns on ns.oid = p.pronamespace, me where p.xmin = me.xid
    union all select 'type ' || ns.nspname || '.' || t.typname
      from pg_catalog.pg_type t join ns on ns.oid = t.typnamespace, me where t.xmin = me.xid
    order by 1`.execute(trx)
  const writes = await sql<{ n: string | null }>`
    select sum(n_tup_ins + n_tup_upd + n_tup_del)::text as n
    from pg_catalog.pg_stat_xact_user_tables where schemaname <> ${schema}`.execute(trx)
  return { objects: rows.map((r) => r.object), rowWrites: Number(writes.rows[0].n ?? 0) }
}

/**
 * @throws an Error naming what the replay changed outside `schema` (the caller's transaction
 * then rolls back), when `after` has objects or row writes that `before` had not
 */
export function assertNothingOutside(
  schema: string,
  before: ChangesOutside,
  after: ChangesOutside,
): void {
  const added = after.objects.filter((o) => !before.objects.includes(o))
  const writes = after.rowWrites - before.rowWrites
  if (added.length === 0 && writes === 0) return
  const what = [...added, ...(writes ? [`${writes} row writes`] : [])].join(', ')
  throw new Error(`the dump changed objects outside ${schema}: ${what}; nothing was restored`)
}
