import { describe, expect, it } from 'vitest'
import {
  customerObject,
  discountObject,
  stripeEvent,
  stripeId,
  subscriptionObject,
} from '../billing/stripe-builders.js'
import { deliverStripeEvent } from '../billing/stripe-delivery.js'
import { createTenant } from '../test-support/factories.js'
import { definition, parseHtml, tableRow } from '../test-support/html.js'
import { getPage, postForm } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// /billing from events signed and delivered through the real endpoint (issue 12): the numbers
// the page shows are the ones the webhook's projection stored, and a customer linked on the page
// counts for its tenant afterwards.

const SECRET = 'whsec_overview_test_secret'
const t = useTestApp({ STRIPE_WEBHOOK_SECRET: SECRET })
const DAY = 86_400

async function deliver(type: string, object: Record<string, unknown>, created: number) {
  const res = await deliverStripeEvent(t.app, stripeEvent(type, object as never, created), SECRET)
  expect(res.status).toBe(200)
}

/** A customer (of `tenantId`, or unmatched) with one yearly $1,200 subscription, 10 % off. */
async function yearlyCustomer(created: number, tenantId?: string) {
  const customer = customerObject({
    email: `ap-${stripeId('x')}@nowhere.example`,
    name: 'Buyer',
    tenantId,
    created,
  })
  await deliver('customer.created', customer, created)
  const id = stripeId('sub')
  const sub = subscriptionObject({
    id,
    customer: customer.id,
    status: 'active',
    price: {
      id: stripeId('price'),
      productName: 'Enterprise',
      unitAmount: 120_000,
      currency: 'usd',
      interval: 'year',
    },
    created,
    currentPeriodStart: created,
    currentPeriodEnd: created + 365 * DAY,
    discounts: [discountObject({ percentOff: 10, customer: customer.id, subscription: id })],
  })
  await deliver('customer.subscription.created', sub, created + 1)
  return { customer, sub }
}

describe('/billing after the webhook', () => {
  it('shows the MRR the projection computed, and its movement, then the linked customer’s', async () => {
    const { cookie } = await t.signedInOwner()
    const tenant = await createTenant(t.db)
    const created = Math.floor(t.clock.now() / 1000) - 60
    await yearlyCustomer(created, tenant.id)
    const { customer: stray } = await yearlyCustomer(created)

    const html = await (await getPage(t.app, '/billing', cookie)).text()

    const usd = parseHtml(html).querySelector('#revenue-usd')!.toString()
    expect(definition(usd, 'MRR')).toBe('$180.00')
    expect(definition(usd, 'ARR')).toBe('$2,160.00')
    const month = new Date(created * 1000).toISOString().slice(0, 7)
    expect(tableRow(html, `movements-usd-${month}`).New).toBe('$180.00')
    expect(tableRow(html, `unmatched-${stray.id}`).MRR).toBe('$90.00')

    const linked = await postForm(
      t.app,
      `/billing/customers/${stray.id}/tenant`,
      { slug: tenant.slug },
      cookie,
    )
    expect(linked.status).toBe(303)
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: tenant.id,
      recent: [tenant.id],
    })
    const scoped = await (await getPage(t.app, '/billing', `${cookie}; ${scope}`)).text()
    const mine = parseHtml(scoped).querySelector('#revenue-usd')!.toString()
    expect(definition(mine, 'MRR')).toBe('$180.00')
    expect(definition(mine, 'Paying subscriptions')).toBe('2')
  })
})
