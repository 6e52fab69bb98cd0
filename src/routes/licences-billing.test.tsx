import { describe, expect, it } from 'vitest'
import { insertSubscription } from '../test-support/billing-rows.js'
import { createTenant } from '../test-support/factories.js'
import { tableRow, textOf } from '../test-support/html.js'
import { getPage } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// /licences' MRR by plan from Stripe (issue 12), summed from the projection's subscriptions; list-price MRR stays as the fallback, labelled as such.

const t = useTestApp()

/** A tenant on `planId` with one subscription of `cents` MRR in `currency` (status: the tenant's). */
async function billed(planId: string, cents: number, currency: string, status = 'active') {
  const tenant = await createTenant(t.db, { planId })
  await t.db
    .updateTable('tenants')
    .set({ status: status as 'active' })
    .where('id', '=', tenant.id)
    .execute()
  await insertSubscription(t.db, { tenant_id: tenant.id, currency, mrr_cents: cents })
  return tenant
}

async function licences(cookie: string) {
  const res = await getPage(t.app, '/licences', cookie)
  expect(res.status).toBe(200)
  return res.text()
}

describe('/licences MRR from Stripe', () => {
  it('shows list price as the fallback while no tenant has billing data', async () => {
    const { cookie } = await t.signedInOwner()
    const html = await licences(cookie)
    expect(html).not.toContain('id="stripe-mrr"')
    expect(textOf(html, '#mrr-note')).toContain('A fallback until Stripe’s webhook delivers')
  })

  it('sums each plan’s paying tenants per currency, leaving out deleted tenants', async () => {
    const { cookie } = await t.signedInOwner()
    const mine = await billed('free', 5_000, 'eur')
    await billed('free', 2_050, 'eur')
    await billed('free', 3_000, 'usd')
    await billed('free', 0, 'eur')
    await billed('free', 9_999, 'eur', 'deleted')

    const html = await licences(cookie)

    expect(tableRow(html, 'stripe-mrr-free-eur')).toMatchObject({
      'Paying tenants': '2',
      MRR: '€70.50',
    })
    expect(tableRow(html, 'stripe-mrr-free-usd').MRR).toBe('$30.00')
    expect(textOf(html, '#stripe-mrr-total-eur td')).toBe('€70.50')
    expect(textOf(html, '#mrr-note')).toContain('for comparison')

    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: mine.id,
      recent: [mine.id],
    })
    const scoped = await licences(`${cookie}; ${scope}`)
    expect(tableRow(scoped, 'stripe-mrr-free-eur')).toMatchObject({
      'Paying tenants': '1',
      MRR: '€50.00',
    })
    expect(scoped).not.toContain('stripe-mrr-free-usd')
  })

  it('counts a tenant paying in EUR and in USD under both currencies, not trials or cancellations', async () => {
    const { cookie } = await t.signedInOwner()
    const both = await billed('enterprise', 4_000, 'eur')
    await insertSubscription(t.db, { tenant_id: both.id, currency: 'usd', mrr_cents: 2_500 })
    await insertSubscription(t.db, { tenant_id: both.id, currency: 'eur', mrr_cents: 1_000 })
    await insertSubscription(t.db, {
      tenant_id: both.id,
      currency: 'eur',
      mrr_cents: 9_000,
      status: 'canceled',
    })

    const html = await licences(cookie)

    expect(tableRow(html, 'stripe-mrr-enterprise-eur')).toMatchObject({
      'Paying tenants': '1',
      MRR: '€50.00',
    })
    expect(tableRow(html, 'stripe-mrr-enterprise-usd')).toMatchObject({
      'Paying tenants': '1',
      MRR: '$25.00',
    })
  })
})
