import { faker } from '@faker-js/faker'
import type { Db } from '../db/database.js'
import { API_USAGE_WINDOW_DAYS, upsertApiUsageDays, type ApiUsageDay } from '../db/plan-usage.js'
import { listPlans } from '../db/plans.js'

// Recorded API usage for the demo fleet (issue 9 item 2), so /licences shows tenants near and
// over their API-call quota in `npm run demo`: the last 7 UTC days of each tenant, drawn as a
// share of its plan's daily quota — most well below, about one in six near it, one in ten above.
// Unlimited plans get a busy but arbitrary volume.

const DAY_MS = 86_400_000

/** A tenant's typical day as a share of its quota: calm, near (≥ 80 %) or over. */
function drawShare(): number {
  return faker.helpers.weightedArrayElement([
    { weight: 74, value: faker.number.float({ min: 0.05, max: 0.6 }) },
    { weight: 16, value: faker.number.float({ min: 0.82, max: 0.98 }) },
    { weight: 10, value: faker.number.float({ min: 1.05, max: 1.6 }) },
  ])
}

/**
 * Writes 7 days of API calls (today included) for each tenant, from its plan's quota; returns
 * the rows written. Re-running replaces those days.
 */
export async function seedDemoApiUsage(
  db: Db,
  tenants: { id: string; planId: string }[],
  now = new Date(),
): Promise<number> {
  const quotas = new Map((await listPlans(db)).map((p) => [p.id, p.maxApiCallsPerDay]))
  const days: ApiUsageDay[] = []
  for (const tenant of tenants) {
    const quota = quotas.get(tenant.planId) ?? null
    const typical =
      quota === null ? faker.number.int({ min: 20_000, max: 400_000 }) : quota * drawShare()
    for (let d = 0; d < API_USAGE_WINDOW_DAYS; d++) {
      const day = new Date(now.getTime() - d * DAY_MS).toISOString().slice(0, 10)
      // The busiest day is the typical one; the others are quieter, as weekends are.
      const factor = d === 2 ? 1 : faker.number.float({ min: 0.4, max: 0.95 })
      days.push({ tenantId: tenant.id, day, calls: Math.round(typical * factor) })
    }
  }
  await upsertApiUsageDays(db, days)
  return days.length
}
