// Data for `npm run bench`, made the fast way (bulk SQL): the bench measures reading, not writing.
import { sql } from 'kysely'
import pg from 'pg'
import { createSession } from '../../src/auth/session.js'
import type { Db } from '../../src/db/database.js'
import { insertSuperAdmin } from '../../src/db/super-admins.js'

export const serverUrl =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** Creates database `name` on the local server, runs `work` with its URL, drops it afterwards. */
export async function withScratchDatabase<T>(
  name: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  await admin((c) => c.query(`drop database if exists ${name} with (force)`))
  await admin((c) => c.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  try {
    return await work(url.toString())
  } finally {
    await admin((c) => c.query(`drop database if exists ${name} with (force)`))
  }
}

/**
 * `tenants` tenants (a sixth suspended, a sixth failed), `users` users, 1–50 members per tenant
 * and a storage snapshot for each; ANALYZE afterwards (autovacuum may be off).
 */
export async function bulkFleet(db: Db, tenants: number, users: number): Promise<void> {
  await sql`
    insert into users (id, email, name, status, created_at)
    select gen_random_uuid(), 'user' || i || '@bench.example', 'User ' || i, 'active', now()
    from generate_series(1, ${users}) i`.execute(db)
  await sql`
    insert into tenants (id, slug, name, status, plan_id, billing_email, first_admin_email, first_admin_name, created_at, updated_at)
    select gen_random_uuid(), 'bench-' || i, 'Bench Company ' || i,
      (array['active','active','active','active','suspended','failed'])[1 + i % 6],
      (array['free','professional','enterprise'])[1 + i % 3],
      'billing' || i || '@bench.example', 'owner' || i || '@bench.example', 'Owner ' || i,
      now() - (i || ' minutes')::interval, now()
    from generate_series(1, ${tenants}) i`.execute(db)
  await sql`
    with u as (select id, row_number() over () as n from users)
    insert into memberships (user_id, tenant_id, role, created_at)
    select distinct on (t.id, u.id) u.id, t.id, 'member', now()
    from tenants t
    cross join lateral generate_series(1, 1 + (abs(hashtext(t.id::text)) % 50)) k
    join u on u.n = 1 + (abs(hashtext(t.id::text || k)) % ${users})
    on conflict do nothing`.execute(db)
  await sql`
    insert into storage_snapshots (tenant_id, db_bytes, file_bytes, taken_at)
    select id, 200000 + (abs(hashtext(id::text)) % 5000000), abs(hashtext(slug)) % 900000000, now()
    from tenants`.execute(db)
  await sql`analyze`.execute(db)
}

/** An owner with TOTP enrolled and a fully signed-in session; returns the session cookie. */
export async function signedInOwner(db: Db): Promise<{ cookie: string; id: string }> {
  const owner = await insertSuperAdmin(db, {
    email: 'bench@fleetdeck.test',
    name: 'Bench',
    role: 'owner',
  })
  await db
    .updateTable('super_admins')
    .set({ mfa_enabled: true })
    .where('id', '=', owner.id)
    .execute()
  const { token } = await createSession(db, owner.id, { twoFactorVerified: true })
  return { cookie: `fleetdeck_session=${token}`, id: owner.id }
}

const AUDIT_ACTIONS = [
  'tenant.create',
  'tenant.onboarding.step',
  'tenant.activate',
  'tenant.suspend',
  'tenant.edit',
  'tenant.delete',
  'super_admin.invite',
  'super_admin.role_change',
  'auth.sign_in',
  'auth.sign_out',
  'security.ip_refused',
  'settings.ip_allowlist',
]

/**
 * Grows `audit_log` to `total` rows with a generated chain (seq without gaps; hashes are not
 * real — the bench reads the log, it does not verify it), spread over the tenants and `actors`
 * operators. Also fills `audit_facets` when that table exists, as the writer would have.
 */
export async function growAuditLog(db: Db, total: number, actors: string[]): Promise<void> {
  const { rows } = await sql<{
    n: number
  }>`select coalesce(max(seq), 0)::int as n from audit_log`.execute(db)
  const from = rows[0].n + 1
  if (from > total) return
  await sql`
    with t as (select id, row_number() over () as n, count(*) over () as c from tenants)
    insert into audit_log (seq, created_at, actor_id, actor_email, action, target_type, target_id,
      tenant_id, before, after, request_id, ip, user_agent, prev_hash, hash)
    select i, now() - ((${total} - i) || ' seconds')::interval,
      (${actors}::uuid[])[1 + i % ${actors.length}], 'actor' || (i % ${actors.length}) || '@bench.example',
      (${AUDIT_ACTIONS}::text[])[1 + i % ${AUDIT_ACTIONS.length}], 'tenant', t.id::text, t.id,
      null, '{"status":"suspended"}'::jsonb, null, '127.0.0.1', 'bench',
      lpad(to_hex(i - 1), 64, '0'), lpad(to_hex(i), 64, '0')
    from generate_series(${from}::int, ${total}::int) i
    join t on t.n = 1 + i % t.c`.execute(db)
  const facets = await sql<{
    t: string | null
  }>`select to_regclass('public.audit_facets')::text as t`.execute(db)
  if (facets.rows[0].t) {
    await sql`
      insert into audit_facets (kind, value, label)
      select 'action', action, action from audit_log where seq >= ${from} group by action
      union all
      select 'actor', actor_id::text, max(actor_email) from audit_log
      where seq >= ${from} and actor_id is not null group by actor_id
      on conflict do nothing`.execute(db)
  }
  await sql`analyze audit_log`.execute(db)
}

/**
 * `count` schemas named like tenant schemas with two small tables each (no text columns, so no
 * TOAST tables: ~10 s for 2,000 instead of ~100 s), so catalog lookups see a fleet-sized
 * pg_namespace and pg_class.
 */
export async function fillerSchemas(db: Db, count: number): Promise<void> {
  // Batches of 200 schemas: one transaction holds a lock per created relation until it ends.
  for (let first = 1; first <= count; first += 200) {
    const last = Math.min(count, first + 199)
    await sql`
      do $$ begin
        for i in ${sql.lit(first)}..${sql.lit(last)} loop
          execute format('create schema tenant_filler_%s', i);
          for j in 1..2 loop
            execute format('create table tenant_filler_%s.t%s (id bigint primary key, at timestamptz)', i, j);
          end loop;
        end loop;
      end $$`.execute(db)
  }
  await sql`analyze pg_catalog.pg_class`.execute(db)
}
