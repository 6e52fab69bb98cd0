import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { listTenantAuditEntries } from '../db/tenant-audit-log.js'
import { tenantSchemaName } from '../db/tenants.js'
import { openTestDatabase } from '../db/test-database.js'
import { createTenantRecord, ONBOARDING_LEASE_MS } from '../tenancy/onboarding.js'
import { newTenantFields } from '../test-support/factories.js'
import {
  SEED_REQUEST_ID,
  seedDemoFleet,
  slugifyCompany,
  type DemoFleetSummary,
} from './demo-fleet.js'

let handle: DatabaseHandle
let first: DemoFleetSummary

beforeAll(async () => {
  handle = await openTestDatabase()
  first = await seedDemoFleet(handle, { tenants: 3, users: 40, suspendedShare: 1 / 3 })
})

afterAll(() => handle?.close())

async function countAttachments(slug: string) {
  const { rows } = await sql<{ n: number; smallest: number; largest: number; bytes: number }>`
    select count(*)::int as n, min(file_size)::bigint as smallest, max(file_size)::bigint as largest,
      coalesce(sum(file_size), 0)::bigint as bytes
    from ${sql.table(`${tenantSchemaName(slug)}.attachments`)}`.execute(handle.db)
  return rows[0]
}

describe('seedDemoFleet', () => {
  it('onboards every tenant, leaving it active or suspended with a valid slug and plan', async () => {
    const tenants = await handle.db.selectFrom('tenants').selectAll().execute()

    expect(first.tenantsCreated).toBe(3)
    expect(tenants).toHaveLength(3)
    expect(tenants.filter((t) => t.status === 'suspended')).toHaveLength(1)
    expect(tenants.filter((t) => t.status === 'active')).toHaveLength(2)
    for (const tenant of tenants) {
      expect(tenant.slug).toMatch(/^[a-z][a-z0-9-]{1,38}$/)
      expect(['free', 'professional', 'enterprise']).toContain(tenant.plan_id)
      expect(tenant.billing_email).toMatch(/^billing@[a-z0-9-]+\.[a-z]+$/)
      expect(tenant.last_activity_at).toBeInstanceOf(Date)
      // Customers of 100–1,000 days, older than their members' 90 days of history.
      const ageDays = (Date.now() - tenant.created_at.getTime()) / 86_400_000
      expect(ageDays).toBeGreaterThanOrEqual(100)
      expect(ageDays).toBeLessThanOrEqual(1001)
    }
  })

  it('gives each tenant its first admin as owner, keeps an owner in every tenant, and puts each user in 1–3 tenants', async () => {
    const tenants = await handle.db
      .selectFrom('tenants')
      .select(['id', 'first_admin_email'])
      .execute()

    for (const tenant of tenants) {
      const members = await handle.db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.email', 'memberships.role'])
        .where('memberships.tenant_id', '=', tenant.id)
        .execute()
      expect(members).toContainEqual({ email: tenant.first_admin_email, role: 'owner' })
      expect(members.length).toBeGreaterThanOrEqual(2)
    }
    const perUser = await sql<{ n: number }>`
      select count(m.tenant_id)::int as n from users u
      left join memberships m on m.user_id = u.id group by u.id`.execute(handle.db)
    expect(perUser.rows.every((r) => r.n >= 1 && r.n <= 3)).toBe(true)
    const { n } = await handle.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(n)).toBe(first.memberships)
  })

  it("records each member the seed added in the tenant's own audit log, dated as the membership", async () => {
    const tenants = await handle.db.selectFrom('tenants').select(['id', 'slug']).execute()

    for (const tenant of tenants) {
      const members = await handle.db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.email', 'memberships.role'])
        .where('memberships.tenant_id', '=', tenant.id)
        .execute()
      const entries = await listTenantAuditEntries(handle.db, tenant.slug, 1000)
      const added = entries.filter((e) => e.action === 'member.added')
      expect(added.map((e) => e.details.email).sort()).toEqual(members.map((m) => m.email).sort())
    }
  })

  it('gives users a sign-in history of the last 90 days in their own tenants, with last_login_at at the newest success', async () => {
    const { rows } = await sql<{ n: number; outside: number; strangers: number; old: number }>`
      select count(*)::int as n,
        count(*) filter (where not exists (select 1 from memberships m
          where m.user_id = s.user_id and m.tenant_id = s.tenant_id))::int as strangers,
        count(*) filter (where s.at < now() - interval '90 days' or s.at > now())::int as old,
        count(*) filter (where s.outcome = 'failed' and s.detail is distinct from 'wrong password')::int as outside
      from user_sign_ins s`.execute(handle.db)
    const inconsistent = await sql<{ id: string }>`
      select u.id from users u
      left join lateral (select max(at) as at from user_sign_ins s
        where s.user_id = u.id and s.outcome = 'succeeded') s on true
      where u.last_login_at is distinct from s.at`.execute(handle.db)

    expect(rows[0].n).toBe(first.signIns)
    expect(rows[0].n).toBeGreaterThan(40)
    expect(rows[0]).toMatchObject({ strangers: 0, old: 0, outside: 0 })
    expect(inconsistent.rows).toEqual([])
  })

  it('fills each tenant schema with attachments of 1 KB–50 MB, counted in the storage snapshot', async () => {
    const tenants = await handle.db
      .selectFrom('tenants')
      .innerJoin('storage_snapshots', 'storage_snapshots.tenant_id', 'tenants.id')
      .select(['tenants.slug', 'storage_snapshots.file_bytes'])
      .execute()

    expect(tenants).toHaveLength(3)
    let total = 0
    for (const tenant of tenants) {
      const files = await countAttachments(tenant.slug)
      expect(files.n).toBeLessThanOrEqual(20)
      if (files.n > 0) {
        expect(Number(files.smallest)).toBeGreaterThanOrEqual(1024)
        expect(Number(files.largest)).toBeLessThanOrEqual(50 * 1024 * 1024)
      }
      expect(Number(tenant.file_bytes)).toBe(Number(files.bytes))
      total += files.n
    }
    expect(total).toBe(first.attachments)
  })

  it('creates exactly the user pool, some of whom have signed in recently', async () => {
    const users = await handle.db.selectFrom('users').select(['email', 'last_login_at']).execute()

    expect(users).toHaveLength(40)
    expect(new Set(users.map((u) => u.email.toLowerCase())).size).toBe(40)
    expect(first).toMatchObject({ usersCreated: 40, usersInPool: 40 })
    expect(users.some((u) => u.last_login_at !== null)).toBe(true)
  })

  it('records the run in the audit log as one seed batch', async () => {
    const entries = await handle.db
      .selectFrom('audit_log')
      .select(['action', 'request_id', 'actor_id'])
      .where('batch_id', '=', first.batchId)
      .execute()
    const count = (action: string) => entries.filter((e) => e.action === action).length

    expect(count('tenant.create')).toBe(3)
    expect(count('tenant.provision.activate')).toBe(3)
    expect(count('tenant.suspend')).toBe(1)
    expect(entries.every((e) => e.request_id === 'seed' && e.actor_id === null)).toBe(true)
  })

  it('files demo join requests only when asked, leaving some pending for /join-requests', async () => {
    expect(first.joinRequests).toEqual({ pending: 0, approved: 0, denied: 0 })

    const own = await openTestDatabase()
    try {
      const summary = await seedDemoFleet(own, { tenants: 2, users: 10, joinRequests: true })
      const rows = await own.db.selectFrom('join_requests').select('status').execute()

      expect(summary.joinRequests.pending).toBeGreaterThan(0)
      expect(rows.filter((r) => r.status === 'pending')).toHaveLength(summary.joinRequests.pending)
    } finally {
      await own.close()
    }
  })

  it('adds more tenants when run again, reusing the same users', async () => {
    const second = await seedDemoFleet(handle, { tenants: 3, users: 40 })
    const tenants = await handle.db.selectFrom('tenants').select(['slug', 'status']).execute()
    const { rows } = await sql<{ users: number; emails: number }>`
      select count(*)::int as users, count(distinct lower(email))::int as emails from users`.execute(
      handle.db,
    )

    expect(second.batchId).not.toBe(first.batchId)
    expect(second).toMatchObject({ tenantsCreated: 3, usersCreated: 0, usersInPool: 40 })
    expect(tenants).toHaveLength(6)
    expect(new Set(tenants.map((t) => t.slug)).size).toBe(6)
    expect(rows[0]).toEqual({ users: 40, emails: 40 })
    for (const { slug } of tenants) {
      const tables = await (handle.db as Kysely<any>)
        .selectFrom('pg_catalog.pg_tables')
        .select('tablename')
        .where('schemaname', '=', tenantSchemaName(slug))
        .execute()
      expect(tables.map((t) => t.tablename)).toContain('attachments')
    }
  })
})

describe('slugifyCompany', () => {
  it('turns a company name into a slug stem that starts with a letter and fits with a suffix', () => {
    expect(slugifyCompany("O'Conner, Boehm and Kuvalis-Jacobi")).toBe(
      'oconner-boehm-and-kuvalis-jaco',
    )
    expect(slugifyCompany('3M Ünïcode & Co.')).toBe('m-unicode-co')
    expect(slugifyCompany('!!')).toBe('company')
  })
})

describe('a seed after an interrupted one', () => {
  let own: DatabaseHandle
  beforeAll(async () => {
    own = await openTestDatabase()
  })
  afterAll(() => own?.close())

  /** A tenant made by an earlier seed (or by the console) and left at `status`, last progress `ago` ms ago. */
  async function leftBehind(
    status: 'provisioning' | 'failed',
    ago: number,
    requestId = SEED_REQUEST_ID,
  ) {
    const result = await createTenantRecord(
      own.db,
      { actor: null, requestId },
      newTenantFields(),
      new Date(Date.now() - 2 * ONBOARDING_LEASE_MS - ago),
    )
    if (!result.ok) throw new Error('slug taken')
    const created = result.tenant
    await own.db
      .updateTable('tenants')
      .set({ status, updated_at: new Date(Date.now() - ago) })
      .where('id', '=', created.id)
      .execute()
    return created
  }

  const statusOf = async (id: string) =>
    (
      await own.db
        .selectFrom('tenants')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status

  it('resumes the tenants it left failed or provisioning past their lease, and leaves the rest', async () => {
    const failed = await leftBehind('failed', 60_000)
    const interrupted = await leftBehind('provisioning', ONBOARDING_LEASE_MS + 60_000)
    const leased = await leftBehind('provisioning', 60_000)
    const consoles = await leftBehind('failed', 60_000, 'req-console')
    const leaseEnd =
      (
        await own.db
          .selectFrom('tenants')
          .select('updated_at')
          .where('id', '=', leased.id)
          .executeTakeFirstOrThrow()
      ).updated_at.getTime() + ONBOARDING_LEASE_MS

    const summary = await seedDemoFleet(own, { tenants: 0, users: 10 })

    expect(summary).toMatchObject({ tenantsResumed: 2, tenantsLeased: 1, tenantsCreated: 0 })
    expect(summary.resumableAt?.getTime()).toBe(leaseEnd)
    expect(await statusOf(failed.id)).toBe('active')
    expect(await statusOf(interrupted.id)).toBe('active')
    expect(await statusOf(leased.id)).toBe('provisioning')
    expect(await statusOf(consoles.id)).toBe('failed')
    const members = await own.db
      .selectFrom('memberships')
      .select(['tenant_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('tenant_id')
      .execute()
    expect(
      new Map(members.map((m) => [m.tenant_id, Number(m.n)])).get(interrupted.id),
    ).toBeGreaterThanOrEqual(2)
    const retries = await own.db
      .selectFrom('audit_log')
      .select(['tenant_id', 'batch_id'])
      .where('action', '=', 'tenant.provision.retry')
      .execute()
    expect(retries.map((r) => r.tenant_id).sort()).toEqual([failed.id, interrupted.id].sort())
    expect(retries.every((r) => r.batch_id === summary.batchId)).toBe(true)
  })
})
