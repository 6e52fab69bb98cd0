import fc from 'fast-check'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { resolveFlag, rolloutBucket } from '../flags/resolve.js'
import { createFlag, uniqueSuffix } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { flagResolutionSql, rolloutBucketSql } from './flag-resolution-sql.js'
import { findTenantOverrides } from './flags.js'
import { insertTenant } from './tenants.js'

const t = useTestDatabase()
const RUNS = Math.min(Number(process.env.FC_RUNS ?? 100), 40)
const PLANS = ['free', 'professional', 'enterprise'] as const

async function insertTenants(n: number) {
  const tenants: { id: string; planId: string }[] = []
  for (let i = 0; i < n; i++) {
    const suffix = uniqueSuffix()
    const planId = PLANS[i % 3]
    const tenant = await insertTenant(t.db, {
      id: crypto.randomUUID(),
      slug: `flagsql-${suffix}`,
      name: `Flag SQL ${suffix}`,
      status: 'active',
      planId,
      billingEmail: `billing-${suffix}@example.com`,
      firstAdminEmail: `admin-${suffix}@example.com`,
      firstAdminName: 'Admin',
      createdAt: new Date(),
    })
    tenants.push({ id: tenant!.id, planId })
  }
  return tenants
}

describe('flagResolutionSql', () => {
  it('computes the same rollout bucket as rolloutBucket', async () => {
    const ids = Array.from({ length: 50 }, () => crypto.randomUUID())
    const rows = await t.db
      .selectFrom(sql`unnest(${ids}::uuid[])`.as('x'))
      .select([
        sql.ref<string>('x.x').as('id'),
        rolloutBucketSql('drawings-beta', sql.ref('x.x')).as('bucket'),
      ])
      .execute()
    for (const row of rows) expect(Number(row.bucket)).toBe(rolloutBucket('drawings-beta', row.id))
  })

  it('agrees with resolveFlag for every tenant, whatever the flag', async () => {
    const tenants = await insertTenants(12)
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rolloutPercentage: fc.integer({ min: 0, max: 100 }),
          rolloutValue: fc.boolean(),
          rolloutPlanIds: fc.subarray([...PLANS]),
          planValues: fc.dictionary(fc.constantFrom(...PLANS), fc.boolean()),
          defaultValue: fc.boolean(),
          archived: fc.boolean(),
          overridden: fc.dictionary(fc.constantFrom(...tenants.map((x) => x.id)), fc.boolean()),
        }),
        async ({ overridden, ...definition }) => {
          const flag = await createFlag(t.db, { ...definition, overrides: overridden })
          const { value, why } = flagResolutionSql(flag)
          const rows = await t.db
            .selectFrom('tenants')
            .select(['tenants.id', value.as('value'), why.as('why')])
            .where(
              'tenants.id',
              'in',
              tenants.map((x) => x.id),
            )
            .execute()
          expect(rows).toHaveLength(tenants.length)
          for (const row of rows) {
            const tenant = tenants.find((x) => x.id === row.id)!
            const override = (await findTenantOverrides(t.db, tenant.id)).get(flag.id)
            const expected = resolveFlag(flag, {
              tenantId: tenant.id,
              planId: tenant.planId,
              override,
            })
            expect({ value: row.value, why: row.why }).toEqual(expected)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('resolves string variants the same way', async () => {
    const [tenant] = await insertTenants(1)
    const flag = await createFlag(t.db, {
      type: 'string',
      variants: ['blue', 'green'],
      defaultValue: 'blue',
      planValues: { [tenant.planId]: 'green' },
    })
    const { value, why } = flagResolutionSql(flag)
    const row = await t.db
      .selectFrom('tenants')
      .select([value.as('value'), why.as('why')])
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ value: 'green', why: 'plan' })
  })
})
