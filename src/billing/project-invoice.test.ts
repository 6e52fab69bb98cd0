import { describe, expect, it } from 'vitest'
import { useTestApp } from '../test-support/test-app.js'
import {
  at,
  billingTenant,
  ingestAll,
  invoiceRow,
  subscriptionRow,
  tenantBilling,
} from './billing-test-scenes.js'
import { ingestStripeEvent } from './ingest.js'
import { sweepPendingStripeEvents } from './pending-sweep.js'
import {
  customerObject,
  invoiceObject,
  refundedChargeObject,
  stripeEvent,
  stripeId,
  subscriptionObject,
} from './stripe-builders.js'

// Invoices into saas_invoices (issue 12 item 2): both API shapes, the dunning window opened by
// the first failed payment and closed by payment, voiding or cancellation, and refunds.

const t = useTestApp()
const ledgerRow = (id: string) =>
  t.db
    .selectFrom('stripe_events')
    .select(['processed_at', 'error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
const PRICE = {
  id: 'price_team',
  productName: 'Team',
  unitAmount: 9900,
  currency: 'usd',
  interval: 'month' as const,
}

/** A tenant with a customer and an active subscription; returns the ids. */
async function subscribedTenant() {
  const tenant = await billingTenant(t.db)
  const cus = customerObject({
    email: 'x@example.com',
    name: 'X',
    tenantId: tenant.id,
    created: at(2026, 1, 1),
  })
  const sub = subscriptionObject({
    customer: cus.id,
    status: 'active',
    price: PRICE,
    created: at(2026, 1, 1),
    currentPeriodStart: at(2026, 2, 1),
    currentPeriodEnd: at(2026, 3, 1),
  })
  await ingestAll(
    t.db,
    stripeEvent('customer.created', cus, at(2026, 1, 1)),
    stripeEvent('customer.subscription.created', sub, at(2026, 1, 1)),
  )
  return { tenant, cus, sub }
}

function invoice(
  customer: string,
  subscription: string,
  o: Partial<Parameters<typeof invoiceObject>[0]> = {},
) {
  return invoiceObject({
    customer,
    subscription,
    status: 'open',
    amountDue: 9900,
    currency: 'usd',
    created: at(2026, 2, 1),
    number: 'INV-0001',
    dueDate: at(2026, 2, 15),
    ...o,
  })
}

describe('invoice projection', () => {
  it('projects a current-shape invoice: number, status, amounts, dates, links, subscription', async () => {
    const { tenant, cus, sub } = await subscribedTenant()
    const inv = invoice(cus.id, sub.id, {
      status: 'paid',
      paidAt: at(2026, 2, 1, 13),
      attemptCount: 1,
    })

    await ingestAll(t.db, stripeEvent('invoice.paid', inv, at(2026, 2, 1, 13)))

    const row = await invoiceRow(t.db, inv.id)
    expect(row).toMatchObject({
      customer_id: cus.id,
      subscription_id: sub.id,
      tenant_id: tenant.id,
      number: 'INV-0001',
      status: 'paid',
      amount_due: 9900,
      amount_paid: 9900,
      currency: 'usd',
      attempt_count: 1,
      paid_out_of_band: false,
      hosted_invoice_url: `https://invoice.stripe.com/i/acct_demo/${inv.id}`,
      invoice_pdf: `https://pay.stripe.com/invoice/acct_demo/${inv.id}/pdf`,
      first_failed_at: null,
    })
    expect(row?.created.getTime()).toBe(at(2026, 2, 1) * 1000)
    expect(row?.due_date?.getTime()).toBe(at(2026, 2, 15) * 1000)
    expect(row?.paid_at?.getTime()).toBe(at(2026, 2, 1, 13) * 1000)
  })

  it('projects an old-shape invoice: invoice.subscription, its charge and payment intent', async () => {
    const { cus, sub } = await subscribedTenant()
    const { parent: _, ...inv } = invoice(cus.id, sub.id)
    const old = { ...inv, subscription: sub.id, charge: 'ch_old', payment_intent: 'pi_old' }

    await ingestAll(t.db, stripeEvent('invoice.finalized', old, at(2026, 2, 1)))

    expect(await invoiceRow(t.db, inv.id)).toMatchObject({
      subscription_id: sub.id,
      charge_id: 'ch_old',
      payment_intent_id: 'pi_old',
      status: 'open',
    })
  })

  it('opens dunning at the first failed payment, keeps that start on the next, and closes it when paid', async () => {
    const { tenant, cus, sub } = await subscribedTenant()
    const inv = invoice(cus.id, sub.id)
    const failed = (created: number, attempts: number) =>
      stripeEvent(
        'invoice.payment_failed',
        { ...inv, attempt_count: attempts, next_payment_attempt: created + 3 * 86400 },
        created,
      )

    await ingestAll(
      t.db,
      stripeEvent('invoice.finalized', inv, at(2026, 2, 1)),
      failed(at(2026, 2, 1, 13), 1),
      failed(at(2026, 2, 4), 2),
    )

    const firstFailure = new Date(at(2026, 2, 1, 13) * 1000)
    expect(await invoiceRow(t.db, inv.id)).toMatchObject({
      first_failed_at: firstFailure,
      attempt_count: 2,
      next_payment_attempt: new Date((at(2026, 2, 4) + 3 * 86400) * 1000),
    })
    expect((await subscriptionRow(t.db, sub.id))?.dunning_started_at).toEqual(firstFailure)
    expect((await tenantBilling(t.db, tenant.id)).dunning_started_at).toEqual(firstFailure)

    const paid = invoice(cus.id, sub.id, {
      id: inv.id,
      status: 'paid',
      paidAt: at(2026, 2, 5),
      paidOutOfBand: true,
    })
    await ingestAll(t.db, stripeEvent('invoice.paid', paid, at(2026, 2, 5)))

    expect(await invoiceRow(t.db, inv.id)).toMatchObject({
      status: 'paid',
      paid_out_of_band: true,
      first_failed_at: firstFailure,
    })
    expect((await subscriptionRow(t.db, sub.id))?.dunning_started_at).toBeNull()
    expect((await tenantBilling(t.db, tenant.id)).dunning_started_at).toBeNull()
  })

  it("keeps dunning open when the next period's draft invoice is created", async () => {
    const { tenant, cus, sub } = await subscribedTenant()
    const inv = invoice(cus.id, sub.id, { created: at(2026, 2, 1) })
    await ingestAll(
      t.db,
      stripeEvent('invoice.finalized', inv, at(2026, 2, 1)),
      stripeEvent('invoice.payment_failed', { ...inv, attempt_count: 1 }, at(2026, 2, 1, 13)),
    )
    const firstFailure = new Date(at(2026, 2, 1, 13) * 1000)

    const draft = invoice(cus.id, sub.id, { status: 'draft', created: at(2026, 3, 1) })
    await ingestAll(t.db, stripeEvent('invoice.created', draft, at(2026, 3, 1)))

    expect((await invoiceRow(t.db, draft.id))?.status).toBe('draft')
    expect((await subscriptionRow(t.db, sub.id))?.dunning_started_at).toEqual(firstFailure)
    expect((await tenantBilling(t.db, tenant.id)).dunning_started_at).toEqual(firstFailure)
  })

  it('closes dunning when the failed invoice is voided or marked uncollectible', async () => {
    for (const [type, status] of [
      ['invoice.voided', 'void'],
      ['invoice.marked_uncollectible', 'uncollectible'],
    ] as const) {
      const { tenant, cus, sub } = await subscribedTenant()
      const inv = invoice(cus.id, sub.id)
      await ingestAll(t.db, stripeEvent('invoice.payment_failed', inv, at(2026, 2, 2)))
      expect((await tenantBilling(t.db, tenant.id)).dunning_started_at).not.toBeNull()

      await ingestAll(t.db, stripeEvent(type, { ...inv, status }, at(2026, 2, 3)))

      expect((await subscriptionRow(t.db, sub.id))?.dunning_started_at, type).toBeNull()
      expect((await tenantBilling(t.db, tenant.id)).dunning_started_at, type).toBeNull()
    }
  })

  it('closes dunning when the subscription is canceled', async () => {
    const { tenant, cus, sub } = await subscribedTenant()
    await ingestAll(
      t.db,
      stripeEvent('invoice.payment_failed', invoice(cus.id, sub.id), at(2026, 2, 2)),
    )

    await ingestAll(
      t.db,
      stripeEvent(
        'customer.subscription.deleted',
        { ...sub, status: 'canceled', canceled_at: at(2026, 2, 9) },
        at(2026, 2, 9),
      ),
    )

    expect((await subscriptionRow(t.db, sub.id))?.dunning_started_at).toBeNull()
    expect(await tenantBilling(t.db, tenant.id)).toEqual({
      billing_mrr_cents: 0,
      billing_currency: 'usd',
      dunning_started_at: null,
    })
  })

  it('reads dunning from the latest invoice only: a paid newer invoice is no dunning', async () => {
    const { tenant, cus, sub } = await subscribedTenant()
    await ingestAll(
      t.db,
      stripeEvent('invoice.payment_failed', invoice(cus.id, sub.id), at(2026, 2, 2)),
      stripeEvent(
        'invoice.paid',
        invoice(cus.id, sub.id, {
          status: 'paid',
          created: at(2026, 3, 1),
          paidAt: at(2026, 3, 1),
        }),
        at(2026, 3, 1),
      ),
    )
    expect((await tenantBilling(t.db, tenant.id)).dunning_started_at).toBeNull()
  })

  it('keeps a payment failure that arrives after a newer update of its invoice', async () => {
    const { cus, sub } = await subscribedTenant()
    const inv = invoice(cus.id, sub.id)
    await ingestAll(
      t.db,
      stripeEvent('invoice.updated', { ...inv, attempt_count: 2 }, at(2026, 2, 3)),
      stripeEvent('invoice.payment_failed', { ...inv, attempt_count: 1 }, at(2026, 2, 2)),
    )
    expect(await invoiceRow(t.db, inv.id)).toMatchObject({
      attempt_count: 2,
      first_failed_at: new Date(at(2026, 2, 2) * 1000),
    })
  })

  it("records a refund on the charge's invoice (old charge.invoice) and by the stored charge id", async () => {
    const { cus, sub } = await subscribedTenant()
    const inv = invoice(cus.id, sub.id, { status: 'paid', paidAt: at(2026, 2, 1) })
    const { parent: _, ...oldShape } = invoice(cus.id, sub.id, {
      status: 'paid',
      paidAt: at(2026, 2, 1),
    })
    await ingestAll(
      t.db,
      stripeEvent('invoice.paid', inv, at(2026, 2, 1)),
      stripeEvent(
        'invoice.paid',
        { ...oldShape, subscription: sub.id, charge: 'ch_stored' },
        at(2026, 2, 1),
      ),
    )
    const byInvoice = refundedChargeObject({
      customer: cus.id,
      invoice: inv.id,
      amount: 9900,
      amountRefunded: 2000,
      currency: 'usd',
      created: at(2026, 2, 3),
    })
    const byCharge = {
      ...refundedChargeObject({
        id: 'ch_stored',
        customer: cus.id,
        invoice: null,
        amount: 9900,
        amountRefunded: 9900,
        currency: 'usd',
        created: at(2026, 2, 3),
      }),
      invoice: undefined,
    }

    await ingestAll(
      t.db,
      stripeEvent('charge.refunded', byInvoice, at(2026, 2, 3)),
      stripeEvent('charge.refunded', byCharge, at(2026, 2, 3)),
    )

    expect((await invoiceRow(t.db, inv.id))?.amount_refunded).toBe(2000)
    expect((await invoiceRow(t.db, oldShape.id))?.amount_refunded).toBe(9900)
  })

  it('leaves a refund before its invoice pending without error; the sweep applies it once the invoice is in', async () => {
    const { cus, sub } = await subscribedTenant()
    const inv = invoice(cus.id, sub.id, { status: 'paid', paidAt: at(2026, 2, 1) })
    const charge = refundedChargeObject({
      customer: cus.id,
      invoice: inv.id,
      amount: 9900,
      amountRefunded: 9900,
      currency: 'usd',
      created: at(2026, 2, 3),
    })
    const refund = stripeEvent('charge.refunded', charge, at(2026, 2, 3))
    const receivedAt = new Date()

    const result = await ingestStripeEvent(t.db, refund, receivedAt)

    expect(result).toMatchObject({ stored: true, processed: false })
    expect(await ledgerRow(refund.id)).toEqual({ processed_at: null, error: null })

    await ingestAll(t.db, stripeEvent('invoice.paid', inv, at(2026, 2, 1)))
    const later = new Date(receivedAt.getTime() + 61_000)
    await sweepPendingStripeEvents(t.db, later)

    expect(await ledgerRow(refund.id)).toEqual({ processed_at: later, error: null })
    expect((await invoiceRow(t.db, inv.id))?.amount_refunded).toBe(9900)
  })

  it('gives a refund of an unknown invoice up 24 hours after it was received', async () => {
    const charge = refundedChargeObject({
      customer: stripeId('cus'),
      invoice: null,
      amount: 500,
      amountRefunded: 500,
      currency: 'usd',
      created: at(2026, 2, 3),
    })
    const refund = stripeEvent('charge.refunded', charge, at(2026, 2, 3))
    const receivedAt = new Date('2026-02-03T12:00:00Z')
    await ingestStripeEvent(t.db, refund, receivedAt)
    expect(await ledgerRow(refund.id)).toEqual({ processed_at: null, error: null })

    const almost = new Date(receivedAt.getTime() + 23 * 3_600_000)
    await sweepPendingStripeEvents(t.db, almost)
    expect(await ledgerRow(refund.id)).toEqual({ processed_at: null, error: null })

    const dayLater = new Date(receivedAt.getTime() + 24 * 3_600_000 + 1000)
    await sweepPendingStripeEvents(t.db, dayLater)
    expect(await ledgerRow(refund.id)).toEqual({
      processed_at: dayLater,
      error: 'refund for an unknown invoice',
    })
  })
})
