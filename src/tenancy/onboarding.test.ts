import { sql, type Kysely } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { claimLeaseAt } from '../db/onboarding.js'
import { tenantSchemaName } from '../db/tenants.js'
import { citusVersion, isSchemaDistributed } from '../fleet/citus.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { newTenantFields } from '../test-support/factories.js'
import {
  createTenantRecord,
  listOnboardingSteps,
  ONBOARDING_LEASE_MS,
  ONBOARDING_STEPS,
  onboardingRetry,
  runOnboarding,
  type NewTenant,
} from './onboarding.js'
import { TENANT_ROLES } from './tenant-roles.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

const context = { actor: null, requestId: 'req-1' }
const T0 = new Date('2026-03-02T09:00:00.000Z')

async function createRecord(overrides: Partial<NewTenant> = {}) {
  const created = await createTenantRecord(t.db, context, newTenantFields(overrides), T0)
  if (!created.ok) throw new Error('slug taken')
  return created.tenant
}

function findTenantRow(id: string) {
  return t.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

function stepRows(tenantId: string) {
  return t.db
    .selectFrom('tenant_provisioning_steps')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute()
}

function tenantDb(slug: string) {
  return (t.db as Kysely<any>).withSchema(tenantSchemaName(slug))
}

async function tablesIn(slug: string): Promise<string[]> {
  const { rows } = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = ${tenantSchemaName(slug)} order by tablename`.execute(
    t.db,
  )
  return rows.map((r) => r.tablename)
}

function providedSteps(tenantId: string) {
  return t.db
    .selectFrom('audit_log')
    .select('action')
    .where('tenant_id', '=', tenantId)
    .where('action', 'like', 'tenant.provision.%')
    .orderBy('seq')
    .execute()
    .then((rows) => rows.map((r) => r.action))
}

describe('createTenantRecord', () => {
  it('inserts the tenant in provisioning with five pending steps and audits tenant.create', async () => {
    const fields = newTenantFields({ planId: 'professional' })

    const result = await createTenantRecord(t.db, context, fields, T0)
    const tenant = result.ok ? result.tenant : undefined

    expect(tenant).toMatchObject({
      slug: fields.slug,
      status: 'provisioning',
      planId: 'professional',
      createdAt: T0,
    })
    const steps = await stepRows((tenant as { id: string }).id)
    expect(steps.map((s) => [s.step, s.position, s.status])).toEqual(
      ONBOARDING_STEPS.map((step, i) => [step, i, 'pending']),
    )
    expect((await auditEntries(t.db, 'tenant.create')).at(-1)).toMatchObject({
      tenant_id: (tenant as { id: string }).id,
      request_id: 'req-1',
      created_at: T0,
      after: {
        slug: fields.slug,
        name: fields.name,
        plan: 'professional',
        billingEmail: fields.billingEmail,
        firstAdminEmail: fields.firstAdminEmail,
      },
    })
  })

  it('refuses a taken slug (slug_taken) and writes nothing', async () => {
    const first = await createRecord()
    const counts = [await countRows(t.db, 'tenants'), await countRows(t.db, 'audit_log')]

    const second = await createTenantRecord(
      t.db,
      context,
      newTenantFields({ slug: first.slug }),
      T0,
    )

    expect(second).toEqual({ ok: false, reason: 'slug_taken' })
    expect([await countRows(t.db, 'tenants'), await countRows(t.db, 'audit_log')]).toEqual(counts)
  })
})

describe('runOnboarding', () => {
  it('builds the schema, seeds roles, adds the first admin as owner and activates the tenant', async () => {
    const tenant = await createRecord()

    const outcome = await runOnboarding(t.db, context, tenant.id)

    expect(outcome).toEqual({ ok: true })
    expect(await findTenantRow(tenant.id)).toMatchObject({
      status: 'active',
      provisioning_error: null,
    })
    expect(await tablesIn(tenant.slug)).toEqual(
      expect.arrayContaining([
        'attachments',
        'audit_log',
        'kysely_migration',
        'role_permissions',
        'roles',
      ]),
    )
    const roles = await tenantDb(tenant.slug)
      .selectFrom('roles')
      .select('name')
      .orderBy('name')
      .execute()
    expect(roles.map((r) => r.name)).toEqual(TENANT_ROLES.map((r) => r.name).sort())
    const permissions = await tenantDb(tenant.slug)
      .selectFrom('role_permissions')
      .select('permission')
      .execute()
    expect(permissions).toHaveLength(TENANT_ROLES.reduce((n, r) => n + r.permissions.length, 0))
    const members = await t.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.email', 'users.name', 'memberships.role'])
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(members).toEqual([
      { email: tenant.firstAdminEmail, name: tenant.firstAdminName, role: 'owner' },
    ])
    const tenantLog = await tenantDb(tenant.slug)
      .selectFrom('audit_log')
      .select(['actor', 'action', 'details'])
      .execute()
    expect(tenantLog).toEqual([
      {
        actor: 'platform',
        action: 'member.added',
        // Delivered through the outbox (issue 13 item 4): its row id travels with the entry.
        details: { email: tenant.firstAdminEmail, role: 'owner', deliveryId: expect.any(String) },
      },
    ])
    const outbox = await t.db
      .selectFrom('tenant_audit_outbox')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(outbox).toEqual([])
    expect(
      await t.db
        .selectFrom('storage_snapshots')
        .select('tenant_id')
        .where('tenant_id', '=', tenant.id)
        .execute(),
    ).toHaveLength(1)
  })

  it('records each step as done and audits tenant.provision.<step> in order', async () => {
    const tenant = await createRecord()

    await runOnboarding(t.db, context, tenant.id)

    const steps = await stepRows(tenant.id)
    expect(
      steps.every((s) => s.status === 'done' && s.error === null && s.finished_at instanceof Date),
    ).toBe(true)
    expect(await providedSteps(tenant.id)).toEqual(
      ONBOARDING_STEPS.map((s) => `tenant.provision.${s}`),
    )
    expect((await listOnboardingSteps(t.db, tenant.id)).map((s) => [s.label, s.status])).toEqual([
      ['Create schema', 'done'],
      ['Apply tenant migrations', 'done'],
      ['Seed roles and permissions', 'done'],
      ['Add first admin', 'done'],
      ['Activate', 'done'],
    ])
  })

  it('is idempotent: running every step again over finished work adds no duplicate', async () => {
    const tenant = await createRecord()
    await runOnboarding(t.db, context, tenant.id)
    // As if the process died after the work but before the steps were recorded as done.
    await t.db
      .updateTable('tenant_provisioning_steps')
      .set({ status: 'pending' })
      .where('tenant_id', '=', tenant.id)
      .execute()
    // …and went quiet long enough ago to count as interrupted.
    await t.db
      .updateTable('tenants')
      .set({ status: 'provisioning', updated_at: new Date(Date.now() - 6 * 60_000) })
      .where('id', '=', tenant.id)
      .execute()
    const users = await countRows(t.db, 'users')

    const outcome = await runOnboarding(t.db, context, tenant.id)

    expect(outcome).toEqual({ ok: true })
    expect((await findTenantRow(tenant.id)).status).toBe('active')
    expect(await tenantDb(tenant.slug).selectFrom('roles').selectAll().execute()).toHaveLength(
      TENANT_ROLES.length,
    )
    expect(
      await t.db.selectFrom('memberships').selectAll().where('tenant_id', '=', tenant.id).execute(),
    ).toHaveLength(1)
    expect(await countRows(t.db, 'users')).toBe(users)
    expect(await tenantDb(tenant.slug).selectFrom('audit_log').selectAll().execute()).toHaveLength(
      1,
    )
  })

  it('reuses the global user of an existing email, whatever its case', async () => {
    const first = await createRecord({ firstAdminEmail: 'shared.owner@example.com' })
    await runOnboarding(t.db, context, first.id)
    const second = await createRecord({ firstAdminEmail: 'Shared.Owner@example.com' })
    const users = await countRows(t.db, 'users')

    await runOnboarding(t.db, context, second.id)

    expect(await countRows(t.db, 'users')).toBe(users)
    const owners = await t.db
      .selectFrom('memberships')
      .select('user_id')
      .where('tenant_id', 'in', [first.id, second.id])
      .execute()
    expect(new Set(owners.map((o) => o.user_id)).size).toBe(1)
  })

  it('does not run again for a tenant that is no longer awaiting onboarding, and throws for an unknown one', async () => {
    const tenant = await createRecord()
    await runOnboarding(t.db, context, tenant.id)
    const audited = await countRows(t.db, 'audit_log')

    expect(await runOnboarding(t.db, context, tenant.id)).toEqual({ ok: false, settled: 'active' })
    expect(await countRows(t.db, 'audit_log')).toBe(audited)
    await expect(runOnboarding(t.db, context, crypto.randomUUID())).rejects.toThrow(
      'is not awaiting onboarding',
    )
  })
})

describe('a failing onboarding and its retry', () => {
  let tenant: Awaited<ReturnType<typeof createRecord>>
  let schema: string

  beforeAll(async () => {
    tenant = await createRecord()
    schema = tenantSchemaName(tenant.slug)
    // A leftover table where the tenant migration wants its own makes the `migrate` step fail.
    await sql`create schema ${sql.id(schema)}`.execute(t.db)
    await sql`create table ${sql.table(`${schema}.roles`)} (id text)`.execute(t.db)
  })

  it('stops at the failing step: tenant failed with the error, later steps left pending', async () => {
    const outcome = await runOnboarding(t.db, context, tenant.id)

    expect(outcome).toMatchObject({ ok: false, step: 'migrate' })
    const row = await findTenantRow(tenant.id)
    expect(row.status).toBe('failed')
    expect(row.provisioning_error).toMatch(/^Apply tenant migrations: .*roles/)
    const steps = await stepRows(tenant.id)
    expect(steps.map((s) => s.status)).toEqual(['done', 'failed', 'pending', 'pending', 'pending'])
    expect(steps[1].error).toBe((outcome as { error: string }).error)
    expect(await providedSteps(tenant.id)).toEqual([
      'tenant.provision.create_schema',
      'tenant.provision.failed',
    ])
    expect((await auditEntries(t.db, 'tenant.provision.failed')).at(-1)?.after).toEqual({
      step: 'migrate',
      error: (outcome as { error: string }).error,
    })
    expect(
      await t.db.selectFrom('memberships').selectAll().where('tenant_id', '=', tenant.id).execute(),
    ).toEqual([])
  })

  it('the tenant migration rolled back as a whole: no half-made tables were left', async () => {
    expect(await tablesIn(tenant.slug)).not.toContain('attachments')
  })

  it('a retry after the fix resumes at the failed step and finishes', async () => {
    await sql`drop table ${sql.table(`${schema}.roles`)}`.execute(t.db)

    const outcome = await runOnboarding(t.db, context, tenant.id)

    expect(outcome).toEqual({ ok: true })
    expect(await findTenantRow(tenant.id)).toMatchObject({
      status: 'active',
      provisioning_error: null,
    })
    expect((await stepRows(tenant.id)).map((s) => [s.status, s.error])).toEqual(
      ONBOARDING_STEPS.map(() => ['done', null]),
    )
    expect(await providedSteps(tenant.id)).toEqual([
      'tenant.provision.create_schema',
      'tenant.provision.failed',
      'tenant.provision.retry',
      'tenant.provision.migrate',
      'tenant.provision.seed_roles',
      'tenant.provision.first_admin',
      'tenant.provision.activate',
    ])
  })
})

describe('claiming an onboarding run', () => {
  // A database of its own: the tenants and audit counts here must be this block's alone.
  const own = useTestDatabase()

  it('two retries at once: one runs the pipeline, the other finds it busy and changes nothing', async () => {
    const input = {
      slug: `claim-${Date.now().toString(36)}`,
      name: 'Claim Co',
      planId: 'free',
      billingEmail: 'b@claim.test',
      firstAdminEmail: 'o@claim.test',
      firstAdminName: 'Olly',
    }
    const result = await createTenantRecord(own.db, {}, input)
    if (!result.ok) throw new Error('slug taken')
    const created = result.tenant
    await sql`create schema ${sql.id(`tenant_${input.slug.replace(/-/g, '_')}`)}`.execute(own.db)
    await sql`create table ${sql.table(`tenant_${input.slug.replace(/-/g, '_')}.roles`)} (id text)`.execute(
      own.db,
    )
    expect(await runOnboarding(own.db, {}, created.id)).toMatchObject({
      ok: false,
      step: 'migrate',
    })
    await sql`drop table ${sql.table(`tenant_${input.slug.replace(/-/g, '_')}.roles`)}`.execute(
      own.db,
    )

    const outcomes = await Promise.all([
      runOnboarding(own.db, {}, created.id),
      runOnboarding(own.db, {}, created.id),
    ])

    expect(outcomes).toContainEqual({ ok: true })
    expect(outcomes).toContainEqual({ ok: false, busy: true })
    const retries = await own.db
      .selectFrom('audit_log')
      .select('seq')
      .where('action', '=', 'tenant.provision.retry')
      .where('tenant_id', '=', created.id)
      .execute()
    expect(retries).toHaveLength(1)
  })

  it('a tenant deleted before its onboarding ran is refused, and stays deleted', async () => {
    const input = {
      slug: `gone-${Date.now().toString(36)}`,
      name: 'Gone Co',
      planId: 'free',
      billingEmail: 'b@gone.test',
      firstAdminEmail: 'o@gone.test',
      firstAdminName: 'Gus',
    }
    const result = await createTenantRecord(own.db, {}, input)
    if (!result.ok) throw new Error('slug taken')
    const created = result.tenant
    await deleteTestTenant(own.database, created.id)

    expect(await runOnboarding(own.db, {}, created.id)).toEqual({ ok: false, settled: 'deleted' })
    const row = await own.db
      .selectFrom('tenants')
      .select('status')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('deleted')
  })
})

describe('an interrupted onboarding', () => {
  const MINUTE = 60_000

  it('offers Retry at once after a failure, and for a provisioning tenant only when its lease expires', () => {
    const lastProgressAt = new Date('2026-03-02T10:00:00.000Z')
    const at = (ms: number) => new Date(lastProgressAt.getTime() + ms)

    expect(
      onboardingRetry({ status: 'provisioning', updatedAt: lastProgressAt }, at(MINUTE)),
    ).toEqual({
      available: false,
      availableAt: at(ONBOARDING_LEASE_MS),
      reason: 'running',
      lastProgressAt,
      leaseMs: ONBOARDING_LEASE_MS,
    })
    expect(
      onboardingRetry(
        { status: 'provisioning', updatedAt: lastProgressAt },
        at(ONBOARDING_LEASE_MS),
      ),
    ).toMatchObject({
      available: true,
      availableAt: at(ONBOARDING_LEASE_MS),
      reason: 'interrupted',
    })
    expect(onboardingRetry({ status: 'failed', updatedAt: lastProgressAt }, at(0))).toMatchObject({
      available: true,
      availableAt: null,
      reason: 'failed',
    })
    expect(onboardingRetry({ status: 'active', updatedAt: lastProgressAt }, at(0))).toBeUndefined()
  })

  /** A tenant whose run was claimed and then stopped (a crash) `ago` milliseconds ago. */
  async function interruptedTenant(ago: number) {
    const tenant = await createRecord()
    await t.db
      .updateTable('tenants')
      .set({ updated_at: new Date(Date.now() - ago) })
      .where('id', '=', tenant.id)
      .execute()
    return tenant
  }

  it('a run still within its lease is not taken over: busy, nothing audited, still provisioning', async () => {
    const tenant = await interruptedTenant(MINUTE)

    const outcome = await runOnboarding(t.db, context, tenant.id)

    expect(outcome).toEqual({ ok: false, busy: true })
    expect(await providedSteps(tenant.id)).toEqual([])
    expect((await findTenantRow(tenant.id)).status).toBe('provisioning')
    expect((await stepRows(tenant.id)).map((s) => s.status)).toEqual(
      ONBOARDING_STEPS.map(() => 'pending'),
    )
  })

  it('a retry once the lease has expired is audited as a retry of an interrupted run, and finishes', async () => {
    const tenant = await interruptedTenant(ONBOARDING_LEASE_MS + MINUTE)
    const before = await findTenantRow(tenant.id)

    const outcome = await runOnboarding(t.db, context, tenant.id)

    expect(outcome).toEqual({ ok: true })
    expect((await findTenantRow(tenant.id)).status).toBe('active')
    expect(await providedSteps(tenant.id)).toEqual([
      'tenant.provision.retry',
      ...ONBOARDING_STEPS.map((s) => `tenant.provision.${s}`),
    ])
    expect((await auditEntries(t.db, 'tenant.provision.retry')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      before: {
        status: 'provisioning',
        interrupted: true,
        lastProgressAt: before.updated_at.toISOString(),
      },
      after: { status: 'provisioning' },
    })
  })

  it('each finished step renews the lease, so a long run is not taken for an interrupted one', async () => {
    const tenant = await interruptedTenant(ONBOARDING_LEASE_MS + MINUTE)
    const started = Date.now()

    await runOnboarding(t.db, context, tenant.id)

    expect((await findTenantRow(tenant.id)).updated_at.getTime()).toBeGreaterThanOrEqual(started)
  })
})

describe('activation', () => {
  it('commits with its step and audit entry: when the entry cannot be written, the tenant is not active', async () => {
    const tenant = await createRecord()
    // The platform audit log refuses the activation entry, as a full disk or a lost connection would.
    await sql`create function refuse_activation_entry() returns trigger language plpgsql as $$
      begin raise exception 'audit log unavailable'; end $$`.execute(t.db)
    await sql`create trigger refuse_activation_entry before insert on audit_log for each row
      when (new.action = 'tenant.provision.activate') execute function refuse_activation_entry()`.execute(
      t.db,
    )
    try {
      const outcome = await runOnboarding(t.db, context, tenant.id)

      expect(outcome).toMatchObject({ ok: false, step: 'activate' })
      const row = await findTenantRow(tenant.id)
      expect(row.status).toBe('failed')
      expect(row.last_activity_at).toBeNull()
      expect((await stepRows(tenant.id)).map((s) => s.status)).toEqual([
        'done',
        'done',
        'done',
        'done',
        'failed',
      ])
      expect(await providedSteps(tenant.id)).not.toContain('tenant.provision.activate')
    } finally {
      await sql`drop trigger refuse_activation_entry on audit_log`.execute(t.db)
      await sql`drop function refuse_activation_entry()`.execute(t.db)
    }
  })

  it('audits the status change from provisioning to active', async () => {
    const tenant = await createRecord()

    await runOnboarding(t.db, context, tenant.id)

    expect((await auditEntries(t.db, 'tenant.provision.activate')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      before: { status: 'provisioning' },
      after: { status: 'active' },
    })
  })
})

describe('claimLeaseAt', () => {
  it('is now, or 1 ms past created_at when the clock reads earlier', () => {
    const created = new Date('2026-12-01T10:00:00.000Z')
    const later = new Date('2026-12-01T10:05:00.000Z')
    expect(claimLeaseAt(created, later)).toEqual(later)
    expect(claimLeaseAt(created, created)).toEqual(new Date('2026-12-01T10:00:00.001Z'))
    expect(claimLeaseAt(created, new Date('2026-12-01T09:00:00Z'))).toEqual(
      new Date('2026-12-01T10:00:00.001Z'),
    )
  })
})

// With the Citus test hook (TEST_DATABASE_URL on the coordinator and TEST_CITUS_WORKERS, see
// src/db/test-database.ts) the test database is a Citus one; the cluster keeps
// citus.enable_schema_based_sharding off, so only the create_schema step can distribute.
describe.skipIf(!process.env.TEST_CITUS_URL || !process.env.TEST_CITUS_WORKERS)('on Citus', () => {
  it('create_schema distributes the tenant schema whatever the sharding setting', async () => {
    expect(await citusVersion(t.db)).not.toBeNull()
    const tenant = await createRecord()

    expect(await runOnboarding(t.db, { actor: null }, tenant.id)).toEqual({ ok: true })

    expect(await isSchemaDistributed(t.db, tenantSchemaName(tenant.slug))).toBe(true)
    expect(await tablesIn(tenant.slug)).toContain('audit_log')
  })
})
