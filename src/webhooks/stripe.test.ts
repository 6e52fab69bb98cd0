import { describe, expect, it } from 'vitest'
import { deliverStripeEvent } from '../billing/stripe-delivery.js'
import { customerObject, stripeEvent } from '../billing/stripe-builders.js'
import { useTestApp } from '../test-support/test-app.js'

// The Stripe webhook's door (issue 12 item 1): the signature over the raw body is the only
// authentication; nothing unverified reaches the ledger; a stored event answers 2xx once.

const SECRET = 'whsec_test_endpoint_secret'
const t = useTestApp({ STRIPE_WEBHOOK_SECRET: SECRET })
const nowSeconds = () => Math.floor(Date.now() / 1000)

async function ledgerCount(): Promise<number> {
  const row = await t.db
    .selectFrom('stripe_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

function customerEvent() {
  const customer = customerObject({
    email: 'door@example.com',
    name: 'Door',
    created: nowSeconds(),
  })
  return stripeEvent('customer.created', customer, nowSeconds())
}

async function expectRefused(res: Response, status: number, before: number) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect((await res.json()).status).toBe(status)
  expect(await ledgerCount()).toBe(before)
}

describe('POST /webhooks/stripe', () => {
  it('stores a signed event, projects it and answers 200 received', async () => {
    const event = customerEvent()

    const res = await deliverStripeEvent(t.app, event, SECRET)

    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true })
    const row = await t.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ type: 'customer.created', livemode: false, error: null })
    expect(row.processed_at).toBeInstanceOf(Date)
    expect(row.created.getTime()).toBe(event.created * 1000)
    const customer = await t.db
      .selectFrom('billing_customers')
      .selectAll()
      .where('id', '=', event.data.object.id)
      .executeTakeFirst()
    expect(customer?.email).toBe('door@example.com')
  })

  it('answers a duplicate delivery 200 duplicate and stores it once', async () => {
    const event = customerEvent()
    await deliverStripeEvent(t.app, event, SECRET)
    const before = await ledgerCount()

    const res = await deliverStripeEvent(t.app, event, SECRET)

    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, duplicate: true })
    expect(await ledgerCount()).toBe(before)
  })

  it('refuses a bad signature with 400 and stores nothing', async () => {
    const before = await ledgerCount()
    const sig = `t=${nowSeconds()},v1=${'0'.repeat(64)}`
    await expectRefused(
      await deliverStripeEvent(t.app, customerEvent(), SECRET, { signature: sig }),
      400,
      before,
    )
  })

  it('refuses a body changed after signing with 400 and stores nothing', async () => {
    const before = await ledgerCount()
    const event = customerEvent()
    const signed = await import('../billing/stripe-client.js').then((m) =>
      m.signStripePayload(JSON.stringify(event), SECRET),
    )
    const tampered = JSON.stringify({ ...event, type: 'invoice.paid' })
    const res = await deliverStripeEvent(t.app, event, SECRET, {
      body: tampered,
      signature: signed,
    })
    await expectRefused(res, 400, before)
  })

  it('refuses a timestamp 301 seconds old (the SDK tolerance is 300 s) and stores nothing', async () => {
    const before = await ledgerCount()
    const res = await deliverStripeEvent(t.app, customerEvent(), SECRET, {
      timestampSeconds: nowSeconds() - 301,
    })
    await expectRefused(res, 400, before)
  })

  it('accepts a timestamp 290 seconds old, inside the tolerance', async () => {
    const res = await deliverStripeEvent(t.app, customerEvent(), SECRET, {
      timestampSeconds: nowSeconds() - 290,
    })
    expect(res.status).toBe(200)
  })

  it('refuses an event signed with another secret with 400 and stores nothing', async () => {
    const before = await ledgerCount()
    await expectRefused(
      await deliverStripeEvent(t.app, customerEvent(), 'whsec_other'),
      400,
      before,
    )
  })

  it('refuses a delivery without a Stripe-Signature header with 400 and stores nothing', async () => {
    const before = await ledgerCount()
    await expectRefused(
      await deliverStripeEvent(t.app, customerEvent(), SECRET, { signature: null }),
      400,
      before,
    )
  })

  it('refuses a signed body that is not JSON with 400 and stores nothing', async () => {
    const before = await ledgerCount()
    await expectRefused(
      await deliverStripeEvent(t.app, null, SECRET, { body: '{"id": "evt_1",' }),
      400,
      before,
    )
  })

  it('refuses signed JSON that is not an event with 400 and stores nothing', async () => {
    const before = await ledgerCount()
    await expectRefused(
      await deliverStripeEvent(t.app, { id: 'evt_x', object: 'event' }, SECRET),
      400,
      before,
    )
  })

  it('refuses a body over 1 MiB with 413 and stores nothing', async () => {
    const before = await ledgerCount()
    const body = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) })
    await expectRefused(await deliverStripeEvent(t.app, null, SECRET, { body }), 413, before)
  })

  it('keeps an event whose processing fails, with its error, and still answers 200', async () => {
    const sub = { id: 'sub_broken', object: 'subscription', status: 'active', items: { data: [] } }
    const event = stripeEvent('customer.subscription.created', sub, nowSeconds())

    const res = await deliverStripeEvent(t.app, event, SECRET)

    expect(res.status).toBe(200)
    const row = await t.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow()
    expect(row.processed_at).toBeNull()
    expect(row.error).toMatch(/names no customer/)
    expect(
      await t.db
        .selectFrom('saas_billing')
        .selectAll()
        .where('subscription_id', '=', 'sub_broken')
        .execute(),
    ).toEqual([])
  })
})

describe('POST /webhooks/stripe without STRIPE_WEBHOOK_SECRET', () => {
  const bare = useTestApp()

  it('answers 503 "Stripe webhooks are not configured" and stores nothing', async () => {
    const res = await deliverStripeEvent(bare.app, customerEvent(), SECRET)

    expect(res.status).toBe(503)
    expect((await res.json()).title).toBe('Stripe webhooks are not configured')
    const rows = await bare.db.selectFrom('stripe_events').selectAll().execute()
    expect(rows).toEqual([])
  })
})
