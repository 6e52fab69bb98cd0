import { describe, expect, it } from 'vitest'
import type { BillingItem } from '../billing/mrr.js'
import { insertStripeEvent, insertSubscription } from '../test-support/billing-rows.js'
import { createSuperAdmin, createTenant, uniqueSuffix } from '../test-support/factories.js'
import { textOf } from '../test-support/html.js'
import { getPage, signIn } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// /billing says what its numbers leave out (issue 12 review): Stripe events whose processing
// failed (fleet-wide, for every role with saas.billing.view), and paying subscriptions whose
// price has no unit amount (tiered or metered), which count as MRR 0.

const t = useTestApp()

async function page(cookie: string) {
  const res = await getPage(t.app, '/billing', cookie)
  expect(res.status).toBe(200)
  return res.text()
}

async function insertEvent(fields: { error: string | null; processed: boolean }) {
  await t.db
    .insertInto('stripe_events')
    .values({
      id: `evt_${uniqueSuffix()}`,
      type: 'invoice.paid',
      created: new Date(),
      livemode: false,
      payload: JSON.stringify({ type: 'invoice.paid' }),
      received_at: new Date(),
      processed_at: fields.processed ? new Date() : null,
      error: fields.error,
    })
    .execute()
}

/** Items as the projection stores a tiered/metered price: unitAmountCents 0. */
function items(unitAmountCents: number | null): string {
  const item = {
    priceId: 'price_tiered',
    productName: 'Usage',
    unitAmountCents,
    currency: 'eur',
    interval: 'month',
    intervalCount: 1,
    quantity: 1,
  } as unknown as BillingItem
  return JSON.stringify([item])
}

describe('/billing warnings', () => {
  it('says nothing while no event failed and every price has a unit amount', async () => {
    const { cookie } = await t.signedInOwner()
    await insertStripeEvent(t.db)
    await insertSubscription(t.db)
    const html = await page(cookie)
    expect(html).not.toContain('id="billing-failed-events"')
    expect(html).not.toContain('id="billing-unpriced"')
  })

  it('counts failed, unprocessed Stripe events for every role, under a tenant scope too', async () => {
    await insertEvent({ error: 'boom', processed: false })
    await insertEvent({ error: 'boom again', processed: false })
    await insertEvent({ error: 'fixed since', processed: true })
    await insertEvent({ error: null, processed: false })
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const cookie = await signIn(t.app, viewer, t.clock)
    const tenant = await createTenant(t.db)
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: tenant.id,
      recent: [tenant.id],
    })

    for (const c of [cookie, `${cookie}; ${scope}`]) {
      expect(textOf(await page(c), '#billing-failed-events')).toBe(
        '2 Stripe events failed processing — fix the cause, then run npm run billing:reprocess -- --pending',
      )
    }
  })

  it('says MRR excludes paying subscriptions whose price has no unit amount, not trials or cancellations', async () => {
    const { cookie } = await t.signedInOwner()
    const tenant = await createTenant(t.db)
    await insertSubscription(t.db, { tenant_id: tenant.id, items: items(0), mrr_cents: 0 })
    await insertSubscription(t.db, { items: items(null), mrr_cents: 0, status: 'past_due' })
    await insertSubscription(t.db, { items: items(0), mrr_cents: 0, status: 'trialing' })
    await insertSubscription(t.db, { items: items(0), mrr_cents: 0, status: 'canceled' })

    expect(textOf(await page(cookie), '#billing-unpriced')).toBe(
      'MRR excludes 2 subscriptions whose price has no unit amount (tiered or metered)',
    )
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: tenant.id,
      recent: [tenant.id],
    })
    expect(textOf(await page(`${cookie}; ${scope}`), '#billing-unpriced')).toBe(
      'MRR excludes 1 subscription whose price has no unit amount (tiered or metered)',
    )
  })
})
