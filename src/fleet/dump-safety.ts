import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

// PGlite's pg_dump (pglite-tools 0.4.8) deletes every output line starting `\restrict` or
// `\unrestrict`. Doubled backslashes (standard_conforming_strings off) protect string literals,
// but pg_dump writes quoted identifiers, function bodies, view definitions and expressions as
// they are: a column named "a<newline>\restrict" lost a line of the dump and turned the rest of
// a quoted name into SQL (issue 11 item 5, second review item 1).

/** A line break (as JavaScript's multiline `^` sees one) followed by a backslash. */
const LINE_THEN_BACKSLASH = '[\n\r\u2028\u2029]\\\\'

/**
 * Whether any text pg_dump writes unescaped for `schema` holds a line break followed by a
 * backslash: the names of the schema and of its relations (tables, views, indexes, sequences,
 * composite types), columns, constraints, types, functions (and their argument names), triggers,
 * policies and rules; function bodies, view, index, trigger, rule and policy definitions, column
 * defaults, constraint definitions, and comments on any of these. One catalog query.
 * @returns true when an embedded dump of `schema` could lose a line (refuse it then)
 */
export async function hasUnsafeDumpText(db: Kysely<Database>, schema: string): Promise<boolean> {
  const { rows } = await sql<{ unsafe: boolean }>`
    with ns as (select oid, nspname from pg_catalog.pg_namespace where nspname = ${schema}),
    rel as (select c.oid, c.relname, c.relkind from pg_catalog.pg_class c join ns on c.relnamespace = ns.oid),
    fn as (select p.oid, p.proname, p.prosrc, p.prokind, p.proargnames
           from pg_catalog.pg_proc p join ns on p.pronamespace = ns.oid),
    texts as (
      select ns.nspname as t, ns.oid from ns
      union all select relname, oid from rel
      union all select case when relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(oid) end, null from rel
      union all select case when relkind = 'i' then pg_catalog.pg_get_indexdef(oid) end, null from rel
      union all select a.attname, null from pg_catalog.pg_attribute a join rel on a.attrelid = rel.oid
      union all select pg_catalog.pg_get_expr(d.adbin, d.adrelid), null
        from pg_catalog.pg_attrdef d join rel on d.adrelid = rel.oid
      union all select k.conname || ' ' || pg_catalog.pg_get_constraintdef(k.oid), k.oid
        from pg_catalog.pg_constraint k
        where k.connamespace in (select oid from ns) or k.conrelid in (select oid from rel)
      union all select y.typname, y.oid from pg_catalog.pg_type y join ns on y.typnamespace = ns.oid
      union all select proname || ' ' || coalesce(prosrc, '') || ' '
        || coalesce(pg_catalog.array_to_string(proargnames, ' '), ''), oid from fn
      union all select g.tgname || ' ' || pg_catalog.pg_get_triggerdef(g.oid), g.oid
        from pg_catalog.pg_trigger g join rel on g.tgrelid = rel.oid
      union all select o.polname || ' ' || coalesce(pg_catalog.pg_get_expr(o.polqual, o.polrelid), '')
        || ' ' || coalesce(pg_catalog.pg_get_expr(o.polwithcheck, o.polrelid), ''), o.oid
        from pg_catalog.pg_policy o join rel on o.polrelid = rel.oid
      union all select w.rulename || ' ' || pg_catalog.pg_get_ruledef(w.oid), w.oid
        from pg_catalog.pg_rewrite w join rel on w.ev_class = rel.oid
      union all select null, oid from rel
    )
    select exists (
      select 1 from texts where t ~ ${LINE_THEN_BACKSLASH}
      union all select 1 from pg_catalog.pg_description d
        where d.objoid in (select oid from texts where oid is not null)
          and d.description ~ ${LINE_THEN_BACKSLASH}
    ) as unsafe`.execute(db)
  return rows[0].unsafe
}
