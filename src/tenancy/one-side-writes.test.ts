import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { insertAutoJoinDomain } from '../db/auto-join-domains.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { seedDemoFleet } from '../demo/demo-fleet.js'
import { reseedTenantRoles } from '../fleet/repair.js'
import { deactivateOperator } from '../operators/lifecycle.js'
import { installCrossWriteGuard, type CrossWriteGuard } from '../test-support/cross-write-guard.js'
import { createTenant, uniqueSuffix } from '../test-support/factories.js'
import {
  impersonationScene,
  startSceneImpersonation,
  tokenOf,
} from '../test-support/impersonation.js'
import { kitCall } from '../test-support/kit-calls.js'
import { useTestApp } from '../test-support/test-app.js'
import { endImpersonation, expireImpersonations } from './impersonation-end.js'
import { issueHandoff } from './impersonation-handoff.js'

// Issue 13 item 4: no transaction writes both `public` and a tenant schema (on Citus it would
// commit one-phase, the worker first). Every verb that touches both sides runs here under the
// cross-write guard, which records each writing transaction's side.

const t = useTestApp()
const now = () => new Date(t.clock.now())
let guard: CrossWriteGuard

beforeAll(async () => {
  if (!process.env.TEST_CITUS_WORKERS) guard = await installCrossWriteGuard(t.db)
})

/** Runs `work` under a fresh record and expects both sides written, never in one transaction. */
async function expectOneSideEach(work: () => Promise<unknown>) {
  await guard.reset()
  await work()
  expect(await guard.crossWrites()).toEqual([])
  const sides = await guard.sides()
  expect(sides.public).toBeGreaterThan(0)
  expect(sides.tenant).toBeGreaterThan(0)
}

// Not on a Citus test database (TEST_CITUS_WORKERS): Citus refuses triggers on a distributed
// schema's tables; the rule is checked here, on PGlite and PostgreSQL, for code shared by all.
describe.skipIf(!!process.env.TEST_CITUS_WORKERS)('transactions write one side only', () => {
  it('the guard catches a transaction that writes both sides', async () => {
    const tenant = await createTenant(t.db)
    await guard.reset()

    await t.db.transaction().execute(async (trx) => {
      await sql`insert into ${sql.table(`${tenantSchemaName(tenant.slug)}.audit_log`)}
        (actor, action) values ('test', 'both.sides')`.execute(trx)
      await trx.updateTable('tenants').set({ name: 'Both' }).where('id', '=', tenant.id).execute()
    })

    expect(await guard.crossWrites()).toEqual([
      {
        txid: expect.any(String),
        relations: ['public.tenants', `${tenantSchemaName(tenant.slug)}.audit_log`],
      },
    ])
  })

  it('onboarding: every step and its bookkeeping', async () => {
    await expectOneSideEach(() => createTenant(t.db))
  })

  it('impersonation start, handoff issued and redeemed, impersonated action and end', async () => {
    const s = await impersonationScene(t.db, t.config)
    await expectOneSideEach(async () => {
      const { impersonation } = await startSceneImpersonation(
        t.db,
        t.config,
        s,
        now(),
        'read_write',
      )
      const issued = await issueHandoff(
        t.db,
        {},
        t.config,
        impersonation.id,
        s.operator.admin,
        now(),
      )
      if (!issued.ok) throw new Error(issued.reason)
      const redeem = await kitCall(t.app, s.appToken, 'POST', '/impersonations/redeem', {
        json: { token: tokenOf(issued.handoffUrl) },
      })
      expect(redeem.status).toBe(200)
      const action = await kitCall(
        t.app,
        s.appToken,
        'POST',
        `/tenants/${s.tenant.slug}/audit-entries`,
        {
          json: { action: 'board.renamed', impersonationId: impersonation.id },
        },
      )
      expect(action.status).toBe(201)
      const by = s.operator.admin
      const ended = await endImpersonation(
        t.db,
        {},
        impersonation.id,
        { by, reason: 'ended' },
        now(),
      )
      expect(ended.ok && ended.changed).toBe(true)
    })
  })

  it('impersonation expiry, and the end of an operator’s impersonation at deactivation', async () => {
    const lapsing = await impersonationScene(t.db, t.config)
    const deactivated = await impersonationScene(t.db, t.config)
    const owner = await t.owner()
    await startSceneImpersonation(t.db, t.config, lapsing, now())
    await expectOneSideEach(async () => {
      await startSceneImpersonation(t.db, t.config, deactivated, now())
      const done = await deactivateOperator(
        t.db,
        { actor: owner.admin },
        deactivated.operator.admin.id,
        now(),
      )
      expect(done.ok).toBe(true)
      t.clock.advance(31 * 60_000)
      expect((await expireImpersonations(t.db, now())).expired).toBeGreaterThanOrEqual(1)
    })
  })

  it('a member added and a join request auto-joined through the kit API', async () => {
    const s = await impersonationScene(t.db, t.config)
    const domain = `corp-${uniqueSuffix()}.example`
    await insertAutoJoinDomain(t.db, {
      tenantId: s.tenant.id,
      domain,
      createdBy: null,
      createdAt: now(),
    })
    await expectOneSideEach(async () => {
      const added = await kitCall(t.app, s.appToken, 'POST', `/tenants/${s.tenant.slug}/members`, {
        json: {
          email: `new-${uniqueSuffix()}@example.com`,
          name: 'Newcomer',
          role: 'member',
          actorEmail: s.tenant.firstAdminEmail,
        },
      })
      expect(added.status).toBe(201)
      const joined = await kitCall(t.app, s.appToken, 'POST', '/join-requests', {
        json: { tenant: s.tenant.slug, email: `new@${domain}` },
      })
      expect((await joined.json()).outcome).toBe('joined')
    })
  })

  it('the roles repair: the re-seed, then its audit entry', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    await sql`delete from ${sql.table(`${schema}.roles`)} where name = 'admin'`.execute(t.db)
    await expectOneSideEach(async () => {
      const result = await reseedTenantRoles(t.db, { actor: null }, tenant.id)
      expect(result).toEqual({ ok: true, added: expect.any(Number) })
    })
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(`${schema}.roles`)} where name = 'admin'`.execute(
      t.db,
    )
    expect(rows[0]!.n).toBe(1)
  })

  it('the demo fleet seed', async () => {
    await expectOneSideEach(() =>
      seedDemoFleet(t.database, { tenants: 2, users: 12, joinRequests: true }),
    )
  })
})
