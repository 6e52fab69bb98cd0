import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { FLEET_CHECKS_KEPT } from '../db/fleet-checks.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { HEALTH_TEST_DIRS, healthy, tenantWith } from './health-check-fixtures.js'
import { checkOneTenantSchema, runFleetHealthCheck } from './health-check.js'

const t = useTestDatabase()
const config = { tenantMigrationDirs: HEALTH_TEST_DIRS }

async function healthOf(id: string) {
  return t.db
    .selectFrom('tenants')
    .select(['health', 'health_checked_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

async function countChecks(): Promise<number> {
  const { n } = await t.db
    .selectFrom('fleet_checks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(n)
}

describe('runFleetHealthCheck', () => {
  it('stores the check, a result per schema and every tenant health in one go', async () => {
    const fine = await tenantWith(t.db, healthy)
    const drifted = await tenantWith(t.db, (s) => `alter table ${s}.notes drop column body`)
    const now = new Date('2026-12-01T03:00:00Z')

    const stored = await runFleetHealthCheck(t.database, config, { now: () => now })

    const check = await t.db.selectFrom('fleet_checks').selectAll().executeTakeFirstOrThrow()
    expect(check).toMatchObject({ id: stored.checkId, run_id: null, started_at: now })
    expect(check.duration_ms).toBe(Math.round(stored.durationMs))
    expect(check.summary).toMatchObject({ scope: 'fleet', schemas: 2, healthy: 1, drift: 1 })
    const results = await t.db
      .selectFrom('fleet_check_results')
      .select(['schema_name', 'tenant_id', 'health', 'findings'])
      .orderBy('health')
      .execute()
    expect(results).toEqual([
      {
        schema_name: drifted.schema,
        tenant_id: drifted.id,
        health: 'drift',
        findings: [expect.objectContaining({ kind: 'missing_column' })],
      },
      { schema_name: fine.schema, tenant_id: fine.id, health: 'healthy', findings: [] },
    ])
    expect(await healthOf(fine.id)).toEqual({
      health: 'healthy',
      health_checked_at: check.finished_at,
    })
    expect((await healthOf(drifted.id)).health).toBe('drift')
  })

  it('sets a repaired tenant back to healthy and keeps only the newest 30 checks', async () => {
    const column = (s: string, change: string) =>
      `alter table ${s}.attachments alter column content_type ${change} not null`
    const broken = await tenantWith(t.db, (s) => column(s, 'drop'))
    await runFleetHealthCheck(t.database, config)
    expect((await healthOf(broken.id)).health).toBe('drift')
    await sql.raw(column(broken.schema, 'set')).execute(t.db)

    const old = Array.from({ length: FLEET_CHECKS_KEPT }, (_, i) => ({
      id: crypto.randomUUID(),
      started_at: new Date(Date.UTC(2026, 0, 1, i)),
      finished_at: new Date(Date.UTC(2026, 0, 1, i)),
      duration_ms: 5,
      summary: JSON.stringify({ scope: 'fleet' }),
    }))
    await t.db.insertInto('fleet_checks').values(old).execute()

    await runFleetHealthCheck(t.database, config)

    expect((await healthOf(broken.id)).health).toBe('healthy')
    expect(await countChecks()).toBe(FLEET_CHECKS_KEPT)
    const results = await t.db
      .selectFrom('fleet_check_results')
      .select((eb) => eb.fn.count<string>('check_id').distinct().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(results.n)).toBe(3)
    const oldest = await t.db
      .selectFrom('fleet_checks')
      .select((eb) => eb.fn.min('finished_at').as('at'))
      .executeTakeFirstOrThrow()
    expect(oldest.at).toEqual(old[3].finished_at)
  })
})

describe('checkOneTenantSchema', () => {
  it("stores one tenant's result as a tenant-scope check and updates its health only", async () => {
    const other = await tenantWith(t.db, healthy)
    const target = await tenantWith(
      t.db,
      (s) => `alter table ${s}.attachments drop column file_size`,
    )

    const result = await checkOneTenantSchema(t.db, config, target)

    expect(result).toMatchObject({ tenantId: target.id, health: 'drift' })
    const latest = await t.db
      .selectFrom('fleet_checks')
      .innerJoin('fleet_check_results', 'fleet_check_results.check_id', 'fleet_checks.id')
      .select(['summary', 'schema_name', 'health'])
      .orderBy('finished_at', 'desc')
      .execute()
    expect(latest.filter((r) => (r.summary as { scope: string }).scope === 'tenant')).toEqual([
      {
        summary: expect.objectContaining({ scope: 'tenant', schemas: 1 }),
        schema_name: target.schema,
        health: 'drift',
      },
    ])
    expect((await healthOf(target.id)).health).toBe('drift')
    expect((await healthOf(other.id)).health).toBeNull()
  })
})
