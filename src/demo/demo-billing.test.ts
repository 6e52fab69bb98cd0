import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Tenant } from '../db/tenants.js'
import { createTenant } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { seedDemoBilling, type DemoBillingSummary } from './demo-billing.js'

// The demo's billing through the real endpoint and projection (issue 12 item 6). The test app
// has no webhook secret: the seed's own app signs and verifies with the development secret.

const t = useTestApp()
const PLANS = ['professional', 'enterprise', 'free', 'professional', 'professional']
let tenants: Tenant[]
let first: DemoBillingSummary

beforeAll(async () => {
  tenants = []
  for (let i = 0; i < 20; i++)
    tenants.push(await createTenant(t.db, { planId: PLANS[i % PLANS.length] }))
  first = await seedDemoBilling(t.database, tenants, { config: t.config })
}, 120_000)

async function countRows(table: 'stripe_events' | 'billing_customers' | 'mrr_movements') {
  const { rows } = await sql<{
    n: number
  }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db)
  return rows[0]!.n
}

describe('seedDemoBilling', () => {
  it('delivers every event through the endpoint into the ledger, all processed', async () => {
    const { rows } = await sql<{ n: number; pending: number; failed: number }>`
      select count(*)::int as n, (count(*) filter (where processed_at is null))::int as pending,
        (count(*) filter (where error is not null))::int as failed
      from stripe_events`.execute(t.db)

    expect(first.tenants).toBe(20)
    expect(first.events).toBeGreaterThan(200)
    expect(first.failed).toBe(0)
    expect(rows[0]).toEqual({ n: first.events, pending: 0, failed: 0 })
  })

  it('gives MRR in EUR and USD, and the tenants table their MRR', async () => {
    const { rows } = await sql<{ currency: string; mrr: number }>`
      select currency, sum(mrr_cents)::int as mrr from saas_billing group by currency
      order by currency`.execute(t.db)
    const tenantMrr = await t.db
      .selectFrom('tenants')
      .select(['billing_mrr_cents', 'billing_currency'])
      .where('billing_mrr_cents', '>', 0)
      .execute()

    expect(rows.map((r) => r.currency)).toEqual(['eur', 'usd'])
    for (const row of rows) expect(row.mrr).toBeGreaterThan(0)
    expect(new Set(tenantMrr.map((r) => r.billing_currency))).toEqual(new Set(['eur', 'usd']))
  })

  it('records movements of every kind', async () => {
    const kinds = await t.db.selectFrom('mrr_movements').select('kind').distinct().execute()

    expect(kinds.map((k) => k.kind).sort()).toEqual([
      'churn',
      'contraction',
      'expansion',
      'new',
      'reactivation',
    ])
  })

  it('puts a tenant in dunning, and leaves a customer unmatched and one matched by email', async () => {
    const dunning = await t.db
      .selectFrom('tenants')
      .select('id')
      .where('dunning_started_at', 'is not', null)
      .execute()
    const customers = await t.db
      .selectFrom('billing_customers')
      .select(['tenant_id', 'matched_by'])
      .execute()

    expect(dunning.length).toBeGreaterThanOrEqual(1)
    expect(customers.filter((c) => c.tenant_id === null).length).toBeGreaterThanOrEqual(2)
    expect(customers.some((c) => c.matched_by === 'email')).toBe(true)
    expect(customers.some((c) => c.matched_by === 'metadata')).toBe(true)
  })

  it('adds nothing when run again for the same tenants', async () => {
    const before = await Promise.all([
      countRows('stripe_events'),
      countRows('billing_customers'),
      countRows('mrr_movements'),
    ])

    const again = await seedDemoBilling(t.database, tenants, { config: t.config })

    expect(again).toMatchObject({ events: 0, customers: 0, failed: 0 })
    expect(again.tenantsSkipped).toBeGreaterThan(0)
    expect(
      await Promise.all([
        countRows('stripe_events'),
        countRows('billing_customers'),
        countRows('mrr_movements'),
      ]),
    ).toEqual(before)
  })
})
