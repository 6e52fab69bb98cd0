import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test-support/test-app.js'
import { replayDump } from './schema-dump.js'

// Second review of issue 11 item 5, item 2: a replayed dump that deletes, alters or writes
// outside its schema, or changes the session's role, is refused and rolled back.

const t = useTestDatabase()

beforeAll(async () => {
  await sql
    .raw(
      `
    create schema guard_other; create table guard_other.kept (x int);
    create table public.guard_x (id serial primary key, note text);
    select setval('public.guard_x_id_seq', 7);
    create function public.guard_fn() returns trigger language plpgsql as $$ begin return new; end $$;
    do $$ begin create role guard_role; exception when duplicate_object then null; end $$;
  `,
    )
    .execute(t.db)
})

async function outsideState() {
  const { rows } = await sql<Record<string, unknown>>`
    select to_regclass('guard_other.kept')::text as kept, to_regclass('public.guard_x')::text as x,
      (select count(*)::int from pg_trigger where tgrelid = 'public.guard_x'::regclass) as triggers,
      (select count(*)::int from pg_attrdef where adrelid = 'public.guard_x'::regclass) as defaults,
      (select last_value::int from pg_sequences where sequencename = 'guard_x_id_seq') as seq,
      current_user = session_user as same_user, current_setting('search_path') as path`.execute(
    t.db,
  )
  return rows[0]
}

const attacks: [string, string][] = [
  ['drops another schema', 'DROP SCHEMA guard_other CASCADE;'],
  ['drops a public table', 'DROP TABLE public.guard_x;'],
  [
    'creates a trigger on a public table',
    'CREATE TRIGGER t BEFORE INSERT ON public.guard_x FOR EACH ROW EXECUTE FUNCTION public.guard_fn();',
  ],
  ['sets a default on a public column', "ALTER TABLE public.guard_x ALTER note SET DEFAULT 'x';"],
  ['moves a public sequence', "SELECT pg_catalog.setval('public.guard_x_id_seq', 99);"],
  ['changes the role', 'SET ROLE guard_role;'],
  ['changes search_path for the session', 'SET search_path = guard_other;'],
]

describe('replayDump guard', () => {
  it.each(attacks)('refuses a dump that %s, and rolls it back', async (_, attack) => {
    const before = await outsideState()
    const dump = `CREATE SCHEMA guard_in;\nCREATE TABLE guard_in.t (x int);\n${attack}\n`

    const run = t.db.transaction().execute((trx) => replayDump(trx, dump, 'guard_in'))

    await expect(run).rejects.toThrow(/outside guard_in: /)
    expect(await outsideState()).toEqual(before)
    const { rows } = await sql<{ r: string | null }>`
      select to_regnamespace('guard_in')::text as r`.execute(t.db)
    expect(rows[0].r).toBeNull()
  })

  it('lets a dump that stays inside its schema through, role and search_path untouched', async () => {
    const before = await outsideState()
    const dump = 'CREATE SCHEMA guard_ok;\nCREATE TABLE guard_ok.t (id serial, x text);\n'

    await t.db.transaction().execute((trx) => replayDump(trx, dump, 'guard_ok'))

    expect(await outsideState()).toEqual(before)
    expect(before.same_user).toBe(true)
  })
})
