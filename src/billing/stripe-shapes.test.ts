import { describe, expect, it } from 'vitest'
import { projectorFor } from './process-event.js'
import { at } from './billing-test-scenes.js'
import { discountObject, invoiceObject, subscriptionObject } from './stripe-builders.js'
import { customerIdOf, readInvoice, readSubscription } from './stripe-shapes.js'

// Stripe's objects of any API version read into the projection's inputs (issue 12 item 2).

const price = {
  id: 'price_s',
  productName: 'Pro',
  unitAmount: 1000,
  currency: 'EUR',
  interval: 'month' as const,
}
const base = {
  customer: 'cus_s',
  status: 'active',
  price,
  created: at(2026, 1, 1),
  currentPeriodStart: at(2026, 1, 1),
  currentPeriodEnd: at(2026, 2, 1),
}

describe('readSubscription', () => {
  it("reads a discount's coupon under source.coupon (API 2025-09-30 and later)", () => {
    const { coupon, ...rest } = discountObject({
      amountOff: 300,
      currency: 'eur',
      customer: 'cus_s',
    })
    const sub = subscriptionObject({
      ...base,
      discounts: [{ ...rest, id: 'di_1', object: 'discount', source: { type: 'coupon', coupon } }],
    })
    expect(readSubscription(sub).discounts).toEqual([
      { id: 'di_1', percentOff: null, amountOffCents: 300, currency: 'eur' },
    ])
  })

  it('keeps discounts sent as bare ids without amounts, for billing_discounts to resolve', () => {
    expect(
      readSubscription(subscriptionObject({ ...base, discounts: ['di_123' as never] })).discounts,
    ).toEqual([{ id: 'di_123', percentOff: null, amountOffCents: null, currency: null }])
  })

  it('lower-cases currencies and reads unit_amount_decimal when unit_amount is null', () => {
    const sub = subscriptionObject(base) as unknown as {
      items: { data: { price: Record<string, unknown> }[] }
    }
    sub.items.data[0]!.price.unit_amount = null
    sub.items.data[0]!.price.unit_amount_decimal = '1250.4'
    const read = readSubscription(sub as never)
    expect(read.currency).toBe('eur')
    expect(read.items[0]).toMatchObject({ unitAmountCents: 1250, currency: 'eur' })
  })

  it('reads an expanded customer object as its id', () => {
    const sub = {
      ...subscriptionObject(base),
      customer: { id: 'cus_expanded', object: 'customer' },
    }
    expect(readSubscription(sub).customerId).toBe('cus_expanded')
  })
})

describe('readInvoice', () => {
  it('reads the subscription of both shapes and an expanded payment intent', () => {
    const current = invoiceObject({
      customer: 'cus_s',
      subscription: 'sub_new',
      status: 'open',
      amountDue: 1,
      currency: 'usd',
      created: at(2026, 1, 1),
    })
    const old = {
      ...current,
      parent: null,
      subscription: { id: 'sub_old' },
      payment_intent: { id: 'pi_1' },
    }
    const created = new Date(at(2026, 1, 1) * 1000)
    expect(readInvoice(current, created).subscriptionId).toBe('sub_new')
    expect(readInvoice(old, created)).toMatchObject({
      subscriptionId: 'sub_old',
      paymentIntentId: 'pi_1',
    })
  })
})

describe('event routing', () => {
  it('projects every handled type and ignores the rest', () => {
    const handled = [
      'customer.created',
      'customer.updated',
      'customer.deleted',
      'customer.subscription.created',
      'customer.subscription.updated',
      'customer.subscription.deleted',
      'customer.subscription.paused',
      'customer.subscription.resumed',
      'customer.subscription.trial_will_end',
      'customer.subscription.pending_update_applied',
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_succeeded',
      'invoice.payment_failed',
      'invoice.voided',
      'invoice.marked_uncollectible',
      'invoice.updated',
      'payment_method.attached',
      'charge.refunded',
      'customer.discount.created',
      'customer.discount.updated',
      'customer.discount.deleted',
      'coupon.created',
      'coupon.updated',
      'coupon.deleted',
    ]
    for (const type of handled) expect(projectorFor(type), type).toBeDefined()
    for (const type of ['invoice.upcoming', 'charge.succeeded', 'product.created']) {
      expect(projectorFor(type), type).toBeUndefined()
    }
  })

  it("locks on the customer's id: the object's own for customer events, its customer otherwise", () => {
    expect(customerIdOf('customer.updated', { id: 'cus_1', object: 'customer' })).toBe('cus_1')
    expect(customerIdOf('customer.subscription.updated', { id: 'sub_1', customer: 'cus_2' })).toBe(
      'cus_2',
    )
    expect(customerIdOf('charge.refunded', { id: 'ch_1', customer: null })).toBeNull()
    expect(
      customerIdOf('customer.discount.created', {
        id: 'di_1',
        object: 'discount',
        customer: 'cus_3',
      }),
    ).toBe('cus_3')
  })
})
