import { sql } from 'kysely'
import type { Db } from '../db/database.js'

// Issue 13 item 4's rule, observed: no transaction writes both `public` and a tenant schema (on
// Citus such a transaction commits one-phase, the worker first). The guard adds AFTER statement
// triggers to every public and tenant table — and, through an event trigger, to every table
// created later, so a tenant onboarded under the guard is watched from its first table. Each
// statement that changed rows records (txid, side) in a scratch schema of its own, which is
// neither side. For PGlite and PostgreSQL test databases (it needs superuser); not for Citus,
// which refuses triggers on distributed tables.

/** One statement each: the embedded database takes one statement per query. */
const INSTALL = [
  sql`create schema cross_write_guard`,
  sql`create table cross_write_guard.writes (
    txid bigint not null, side text not null, relation text not null)`,
  sql`create function cross_write_guard.record() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from changed) then
        insert into cross_write_guard.writes values (txid_current(),
          case when tg_table_schema = 'public' then 'public' else 'tenant' end,
          tg_table_schema || '.' || tg_table_name);
      end if;
      return null;
    end $$`,
  sql`create function cross_write_guard.attach(rel regclass) returns void language plpgsql as $$
    begin
      execute format('create trigger cross_write_guard_i after insert on %s
        referencing new table as changed
        for each statement execute function cross_write_guard.record()', rel);
      execute format('create trigger cross_write_guard_u after update on %s
        referencing new table as changed
        for each statement execute function cross_write_guard.record()', rel);
      execute format('create trigger cross_write_guard_d after delete on %s
        referencing old table as changed
        for each statement execute function cross_write_guard.record()', rel);
    end $$`,
  sql`create function cross_write_guard.watched() returns setof regclass language sql as $$
    select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition
      and (n.nspname = 'public' or n.nspname like 'tenant\\_%')
  $$`,
  sql`create function cross_write_guard.on_create() returns event_trigger language plpgsql as $$
    declare created record;
    begin
      for created in select objid from pg_event_trigger_ddl_commands()
        where command_tag = 'CREATE TABLE' and objid in (select cross_write_guard.watched())
      loop
        perform cross_write_guard.attach(created.objid::regclass);
      end loop;
    end $$`,
  sql`select cross_write_guard.attach(rel) from cross_write_guard.watched() rel`,
  sql`create event trigger cross_write_guard on ddl_command_end when tag in ('CREATE TABLE')
    execute function cross_write_guard.on_create()`,
]

/** A transaction that wrote both sides, with the tables it wrote. */
export type CrossWrite = { txid: string; relations: string[] }

export type CrossWriteGuard = {
  /** Forgets what was recorded so far. */
  reset(): Promise<void>
  /** Every transaction recorded since the last reset that wrote public and a tenant schema. */
  crossWrites(): Promise<CrossWrite[]>
  /** How many transactions wrote each side since the last reset (to show the guard saw them). */
  sides(): Promise<{ public: number; tenant: number }>
  /** Removes the triggers, the event trigger and the scratch schema. */
  uninstall(): Promise<void>
}

/** Installs the guard in the test database of `db` (superuser; PGlite or PostgreSQL). */
export async function installCrossWriteGuard(db: Db): Promise<CrossWriteGuard> {
  for (const statement of INSTALL) await statement.execute(db)
  return {
    reset: async () => void (await sql`truncate cross_write_guard.writes`.execute(db)),
    async crossWrites() {
      const { rows } = await sql<{ txid: string; relations: string[] }>`
        select txid::text, array_agg(distinct relation order by relation) as relations
        from cross_write_guard.writes group by txid
        having count(distinct side) > 1 order by txid`.execute(db)
      return rows
    },
    async sides() {
      const { rows } = await sql<{ public: number; tenant: number }>`
        select count(distinct txid) filter (where side = 'public')::int as public,
          count(distinct txid) filter (where side = 'tenant')::int as tenant
        from cross_write_guard.writes`.execute(db)
      return rows[0]!
    },
    async uninstall() {
      await sql`drop event trigger if exists cross_write_guard`.execute(db)
      await sql`drop schema cross_write_guard cascade`.execute(db)
    },
  }
}
