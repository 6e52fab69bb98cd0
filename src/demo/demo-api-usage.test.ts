import { faker } from '@faker-js/faker'
import { describe, expect, it } from 'vitest'
import { listQuotaPressure } from '../db/licences.js'
import { ALL_TENANTS } from '../db/tenant-scope.js'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { seedDemoApiUsage } from './demo-api-usage.js'

const t = useTestDatabase()

describe('seedDemoApiUsage', () => {
  it('records 7 UTC days per tenant, so a fleet has tenants near and over the API quota', async () => {
    const now = new Date('2026-12-01T12:00:00Z')
    const tenants = []
    for (let i = 0; i < 30; i++) tenants.push(await createTenant(t.db, { planId: 'free' }))
    faker.seed(2026) // the draws are random; a fixed seed keeps this test from flaking
    expect(await seedDemoApiUsage(t.db, tenants, now)).toBe(30 * 7)
    const rows = await t.db.selectFrom('tenant_api_usage').selectAll().execute()
    expect(rows).toHaveLength(210)
    expect(new Set(rows.map((r) => String(r.day).slice(0, 10))).size).toBe(7)
    const over = await listQuotaPressure(t.db, ALL_TENANTS, 'over', now)
    const near = await listQuotaPressure(t.db, ALL_TENANTS, 'near', now)
    expect(over.items.some((i) => (i.apiCallsPerDay.used ?? 0) > 1000)).toBe(true)
    expect(near.items.some((i) => (i.apiCallsPerDay.used ?? 0) >= 800)).toBe(true)
  })

  it('replaces the days on a second run instead of failing on the primary key', async () => {
    const tenant = await createTenant(t.db, { planId: 'enterprise' })
    await seedDemoApiUsage(t.db, [tenant])
    await seedDemoApiUsage(t.db, [tenant])
    const rows = await t.db
      .selectFrom('tenant_api_usage')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(rows).toHaveLength(7)
    expect(rows.every((r) => Number(r.calls) >= 20_000 * 0.4 - 1)).toBe(true)
  })
})
