import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invoiceObject, stripeId } from '../billing/stripe-builders.js'
import { createStripeClient, stripeWebhooks } from '../billing/stripe-client.js'
import { CARD_DECLINED, startFakeStripe, type FakeStripe } from './fake-stripe.js'

// The fake Stripe API answers the official SDK like Stripe's API reference, and sends the events
// that follow, signed so the SDK's own webhook check accepts them.

const SECRET = 'whsec_fake_stripe_test'
const delivered: { payload: string; signature: string }[] = []
let fake: FakeStripe

beforeAll(async () => {
  fake = await startFakeStripe({
    webhookSecret: SECRET,
    delivery: 'manual',
    deliver: async (payload, signature) => void delivered.push({ payload, signature }),
  })
})
afterAll(() => fake.close())

const client = () =>
  createStripeClient({ stripeSecretKey: 'sk_test_fake', stripeApiUrl: fake.url })!

function openInvoice() {
  const invoice = invoiceObject({
    customer: stripeId('cus'),
    subscription: stripeId('sub'),
    status: 'open',
    amountDue: 4900,
    currency: 'eur',
    created: 1_700_000_000,
    number: 'INV-0001',
    attemptCount: 1,
  })
  fake.putInvoice(invoice)
  return invoice
}

describe('fake Stripe API', () => {
  it('marks an open invoice paid out of band through the SDK, recording the request', async () => {
    const invoice = openInvoice()

    const paid = await client().invoices.pay(
      invoice.id,
      { paid_out_of_band: true },
      { idempotencyKey: 'fleetdeck-k1' },
    )

    expect(paid).toMatchObject({ id: invoice.id, status: 'paid', paid_out_of_band: true })
    expect(paid.amount_paid).toBe(4900)
    expect(paid.status_transitions.paid_at).toEqual(expect.any(Number))
    expect(fake.requests.at(-1)).toEqual({
      method: 'POST',
      path: `/v1/invoices/${invoice.id}/pay`,
      form: { paid_out_of_band: 'true' },
      idempotencyKey: 'fleetdeck-k1',
      authorized: true,
    })
    await fake.flush()
  })

  it('queues invoice.paid signed with the webhook secret until flush', async () => {
    delivered.length = 0
    const invoice = openInvoice()
    await client().invoices.pay(invoice.id, { paid_out_of_band: true })

    expect(fake.queued().map((e) => e.type)).toEqual(['invoice.paid'])
    expect(delivered).toHaveLength(0)
    await fake.flush()

    expect(delivered).toHaveLength(1)
    const event = stripeWebhooks.constructEvent(
      delivered[0]!.payload,
      delivered[0]!.signature,
      SECRET,
    )
    expect(event.type).toBe('invoice.paid')
    expect(event.data.object).toMatchObject({ id: invoice.id, status: 'paid' })
    expect(fake.queued()).toEqual([])
  })

  it('a retry charges (attempt counted) and also sends invoice.payment_succeeded', async () => {
    const invoice = openInvoice()
    const paid = await client().invoices.pay(invoice.id)

    expect(paid).toMatchObject({ status: 'paid', paid_out_of_band: false, attempt_count: 2 })
    expect(fake.requests.at(-1)?.form).toEqual({})
    expect(fake.queued().map((e) => e.type)).toEqual(['invoice.paid', 'invoice.payment_succeeded'])
    await fake.flush()
  })

  it('refuses to pay an invoice that is not open with a 400 Stripe error, and sends nothing', async () => {
    const invoice = openInvoice()
    await client().invoices.pay(invoice.id, { paid_out_of_band: true })
    await fake.flush()

    const error = await client()
      .invoices.pay(invoice.id, { paid_out_of_band: true })
      .catch((e: unknown) => e)

    expect(error).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 })
    expect((error as Error).message).toBe('Invoice is already paid')
    expect(fake.queued()).toEqual([])
  })

  it('a scripted card_declined fails the retry with 402, then the invoice is still open', async () => {
    const invoice = openInvoice()
    fake.failNextPay(invoice.id, CARD_DECLINED)

    const error = await client()
      .invoices.pay(invoice.id)
      .catch((e: unknown) => e)

    expect(error).toMatchObject({ type: 'StripeCardError', code: 'card_declined', statusCode: 402 })
    expect(fake.invoice(invoice.id)?.status).toBe('open')
    expect(fake.queued()).toEqual([])
  })

  it('answers a repeated idempotency key with the first answer and pays once', async () => {
    const invoice = openInvoice()
    const first = await client().invoices.pay(invoice.id, {}, { idempotencyKey: 'same-key' })
    const again = await client().invoices.pay(invoice.id, {}, { idempotencyKey: 'same-key' })

    expect(again).toEqual(first)
    expect(fake.queued()).toHaveLength(2)
    await fake.flush()
  })

  it('an unknown invoice is a 404 resource_missing', async () => {
    const error = await client()
      .invoices.pay('in_unknown')
      .catch((e: unknown) => e)

    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing' })
  })
})
