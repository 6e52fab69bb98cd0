import { describe, expect, it } from 'vitest'
import { auditEntries } from '../test-support/database-state.js'
import { useTestApp } from '../test-support/test-app.js'
import {
  at,
  billingTenant,
  customerRow,
  ingestAll,
  invoiceRow,
  movementLines,
  subscriptionRow,
  tenantBilling,
} from './billing-test-scenes.js'
import { linkBillingCustomer } from './link-customer.js'
import { reprocessLedger } from './reprocess.js'
import {
  cardPaymentMethodObject,
  customerObject,
  invoiceObject,
  stripeEvent,
  stripeId,
  subscriptionObject,
} from './stripe-builders.js'

// Customers into billing_customers and their tenant (issue 12 item 2): metadata.tenant_id, then
// the billing email, else unmatched until an admin links them (audited, kept across reprocess).

const t = useTestApp()
const PRICE = {
  id: 'price_c',
  productName: 'Pro',
  unitAmount: 2000,
  currency: 'eur',
  interval: 'month' as const,
}

const subscription = (customer: string) =>
  subscriptionObject({
    customer,
    status: 'active',
    price: PRICE,
    created: at(2026, 1, 2),
    currentPeriodStart: at(2026, 1, 2),
    currentPeriodEnd: at(2026, 2, 2),
  })

describe('customer projection and matching', () => {
  it('matches a customer to the tenant its metadata.tenant_id names', async () => {
    const tenant = await billingTenant(t.db)
    const cus = customerObject({
      email: 'someone-else@example.com',
      name: 'Acme GmbH',
      tenantId: tenant.id,
      created: at(2026, 1, 1),
    })

    await ingestAll(t.db, stripeEvent('customer.created', cus, at(2026, 1, 1)))

    expect(await customerRow(t.db, cus.id)).toMatchObject({
      tenant_id: tenant.id,
      matched_by: 'metadata',
      email: 'someone-else@example.com',
      name: 'Acme GmbH',
      deleted: false,
      metadata_tenant_id: tenant.id,
    })
  })

  it('matches by billing email, case-insensitively, when the metadata names no tenant', async () => {
    const tenant = await billingTenant(t.db, `Billing-${stripeId('x')}@Example.com`)
    const cus = customerObject({
      email: tenant.billingEmail.toLowerCase(),
      name: 'B',
      created: at(2026, 1, 1),
    })
    const withUnknownId = {
      ...cus,
      metadata: { tenant_id: '00000000-0000-4000-8000-000000000000' },
    }

    await ingestAll(t.db, stripeEvent('customer.created', withUnknownId, at(2026, 1, 1)))

    expect(await customerRow(t.db, cus.id)).toMatchObject({
      tenant_id: tenant.id,
      matched_by: 'email',
    })
  })

  it('leaves a customer unmatched when two tenants share its email', async () => {
    const email = `shared-${stripeId('x')}@example.com`
    await billingTenant(t.db, email)
    await billingTenant(t.db, email.toUpperCase())
    const cus = customerObject({ email, name: 'Shared', created: at(2026, 1, 1) })

    await ingestAll(
      t.db,
      stripeEvent(
        'customer.created',
        { ...cus, metadata: { tenant_id: 'not-a-uuid' } },
        at(2026, 1, 1),
      ),
    )

    expect(await customerRow(t.db, cus.id)).toMatchObject({ tenant_id: null, matched_by: null })
  })

  it("attributes a subscription that arrived first once its customer's own event matches it", async () => {
    const tenant = await billingTenant(t.db)
    const cus = customerObject({
      email: 'late@example.com',
      name: 'Late',
      tenantId: tenant.id,
      created: at(2026, 1, 1),
    })
    const sub = subscription(cus.id)

    await ingestAll(t.db, stripeEvent('customer.subscription.created', sub, at(2026, 1, 2)))
    expect((await subscriptionRow(t.db, sub.id))?.tenant_id).toBeNull()
    await ingestAll(t.db, stripeEvent('customer.created', cus, at(2026, 1, 1)))

    expect((await subscriptionRow(t.db, sub.id))?.tenant_id).toBe(tenant.id)
    expect(
      await t.db
        .selectFrom('mrr_movements')
        .select('tenant_id')
        .where('customer_id', '=', cus.id)
        .execute(),
    ).toEqual([{ tenant_id: tenant.id }])
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({
      billing_mrr_cents: 2000,
      billing_currency: 'eur',
    })
  })

  it('ignores metadata naming a deleted tenant, and keeps an email match when the email changes', async () => {
    const gone = await billingTenant(t.db)
    await t.db.updateTable('tenants').set({ status: 'deleted' }).where('id', '=', gone.id).execute()
    const email = `kept-${stripeId('x')}@example.com`
    const tenant = await billingTenant(t.db, email)
    const other = await billingTenant(t.db, `other-${stripeId('x')}@example.com`)
    const cus = customerObject({ email, name: 'Kept', tenantId: gone.id, created: at(2026, 1, 1) })

    await ingestAll(t.db, stripeEvent('customer.created', cus, at(2026, 1, 1)))
    expect(await customerRow(t.db, cus.id)).toMatchObject({
      tenant_id: tenant.id,
      matched_by: 'email',
    })

    await ingestAll(
      t.db,
      stripeEvent('customer.updated', { ...cus, email: other.billingEmail }, at(2026, 2, 1)),
    )
    expect(await customerRow(t.db, cus.id)).toMatchObject({
      email: other.billingEmail,
      tenant_id: tenant.id,
      matched_by: 'email',
    })
  })

  it('keeps the card of an attached payment method, and of an expanded default one', async () => {
    const cus = customerObject({ email: 'card@example.com', name: 'Card', created: at(2026, 1, 1) })
    const pm = cardPaymentMethodObject({
      customer: cus.id,
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
      created: at(2026, 1, 1),
    })
    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 1, 1)),
      stripeEvent('payment_method.attached', pm, at(2026, 1, 1)),
    )
    expect(await customerRow(t.db, cus.id)).toMatchObject({
      card_brand: 'visa',
      card_last4: '4242',
      card_exp_month: 12,
      card_exp_year: 2030,
      default_payment_method_id: pm.id,
    })

    const amex = cardPaymentMethodObject({
      customer: cus.id,
      brand: 'amex',
      last4: '0005',
      expMonth: 1,
      expYear: 2031,
      created: at(2026, 2, 1),
    })
    await ingestAll(
      t.db,
      stripeEvent(
        'customer.updated',
        { ...cus, invoice_settings: { default_payment_method: amex } },
        at(2026, 2, 1),
      ),
    )

    expect(await customerRow(t.db, cus.id)).toMatchObject({
      card_brand: 'amex',
      card_last4: '0005',
      default_payment_method_id: amex.id,
    })
  })

  it('keeps the newer card when an older attach arrives late, and the default when a second card is attached', async () => {
    const cus = customerObject({
      email: 'cards@example.com',
      name: 'Cards',
      created: at(2026, 1, 1),
    })
    const card = (brand: string, last4: string, created: number) =>
      cardPaymentMethodObject({
        customer: cus.id,
        brand,
        last4,
        expMonth: 1,
        expYear: 2032,
        created,
      })
    const newer = card('visa', '4242', at(2026, 3, 1))
    const older = { ...card('mastercard', '4444', at(2026, 2, 1)), id: newer.id }
    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 1, 1)),
      stripeEvent('payment_method.attached', newer, at(2026, 3, 1)),
      stripeEvent('payment_method.attached', older, at(2026, 2, 1)),
    )
    expect(await customerRow(t.db, cus.id)).toMatchObject({
      card_brand: 'visa',
      card_last4: '4242',
      default_payment_method_id: newer.id,
    })

    const second = card('amex', '0005', at(2026, 4, 1))
    await ingestAll(t.db, stripeEvent('payment_method.attached', second, at(2026, 4, 1)))

    expect(await customerRow(t.db, cus.id)).toMatchObject({
      card_brand: 'visa',
      card_last4: '4242',
      default_payment_method_id: newer.id,
    })
  })

  it('marks a deleted customer and ignores an older update after it', async () => {
    const cus = customerObject({ email: 'gone@example.com', name: 'Gone', created: at(2026, 1, 1) })
    await ingestAll(
      t.db,
      stripeEvent('customer.deleted', { ...cus, deleted: true }, at(2026, 3, 1)),
      stripeEvent('customer.updated', { ...cus, name: 'Renamed' }, at(2026, 2, 1)),
    )
    expect(await customerRow(t.db, cus.id)).toMatchObject({ deleted: true, name: 'Gone' })
  })

  it('marks an event type the projection does not read processed, without error', async () => {
    const event = stripeEvent(
      'product.created',
      { id: stripeId('prod'), object: 'product' },
      at(2026, 1, 1),
    )
    expect(await ingestAll(t.db, event)).toEqual([{ stored: true, processed: true }])
    const row = await t.db
      .selectFrom('stripe_events')
      .select(['processed_at', 'error'])
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow()
    expect(row.error).toBeNull()
    expect(row.processed_at).not.toBeNull()
  })
})

describe('linkBillingCustomer', () => {
  async function unmatchedWithHistory() {
    const cus = customerObject({
      email: `nobody-${stripeId('x')}@example.com`,
      name: 'Nobody',
      created: at(2026, 1, 1),
    })
    const sub = subscription(cus.id)
    const inv = invoiceObject({
      customer: cus.id,
      subscription: sub.id,
      status: 'paid',
      amountDue: 2000,
      currency: 'eur',
      created: at(2026, 1, 2),
      paidAt: at(2026, 1, 2),
    })
    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 1, 1)),
      stripeEvent('customer.subscription.created', sub, at(2026, 1, 2)),
      stripeEvent('invoice.paid', inv, at(2026, 1, 2)),
    )
    return { cus, sub, inv }
  }

  it('links an unmatched customer: its rows follow, the tenant columns refresh, one audit entry', async () => {
    const { admin } = await t.owner()
    const tenant = await billingTenant(t.db)
    const { cus, sub, inv } = await unmatchedWithHistory()
    const ctx = { actor: { id: admin.id, email: admin.email }, requestId: 'req-link' }

    const result = await linkBillingCustomer(
      t.db,
      ctx,
      { customerId: cus.id, tenantId: tenant.id },
      new Date(),
    )

    expect(result).toEqual({ ok: true, tenantId: tenant.id })
    expect(await customerRow(t.db, cus.id)).toMatchObject({
      tenant_id: tenant.id,
      matched_by: 'link',
    })
    expect((await subscriptionRow(t.db, sub.id))?.tenant_id).toBe(tenant.id)
    expect((await invoiceRow(t.db, inv.id))?.tenant_id).toBe(tenant.id)
    expect(
      await t.db
        .selectFrom('mrr_movements')
        .select('tenant_id')
        .where('customer_id', '=', cus.id)
        .execute(),
    ).toEqual([{ tenant_id: tenant.id }])
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({
      billing_mrr_cents: 2000,
      billing_currency: 'eur',
    })
    const entries = (await auditEntries(t.db, 'billing.customer.link')).filter(
      (e) => e.target_id === cus.id,
    )
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor_id: admin.id,
      target_type: 'billing_customer',
      tenant_id: tenant.id,
      before: { tenantId: null },
      after: { tenantId: tenant.id, email: cus.email },
    })
  })

  it('refuses an unknown customer, a matched one and an unknown tenant, changing nothing', async () => {
    const tenant = await billingTenant(t.db)
    const other = await billingTenant(t.db)
    const { cus } = await unmatchedWithHistory()
    const now = new Date()
    const before = (await auditEntries(t.db, 'billing.customer.link')).length

    expect(
      await linkBillingCustomer(
        t.db,
        { actor: null },
        { customerId: 'cus_nope', tenantId: tenant.id },
        now,
      ),
    ).toEqual({ ok: false, reason: 'no_customer' })
    expect(
      await linkBillingCustomer(
        t.db,
        { actor: null },
        { customerId: cus.id, tenantId: '00000000-0000-4000-8000-000000000000' },
        now,
      ),
    ).toEqual({ ok: false, reason: 'no_tenant' })
    expect(await customerRow(t.db, cus.id)).toMatchObject({ tenant_id: null })
    await linkBillingCustomer(
      t.db,
      { actor: null },
      { customerId: cus.id, tenantId: tenant.id },
      now,
    )
    expect(
      await linkBillingCustomer(
        t.db,
        { actor: null },
        { customerId: cus.id, tenantId: other.id },
        now,
      ),
    ).toEqual({ ok: false, reason: 'already_matched' })

    expect(await customerRow(t.db, cus.id)).toMatchObject({ tenant_id: tenant.id })
    expect((await auditEntries(t.db, 'billing.customer.link')).length).toBe(before + 1)
  })

  it('refuses to link a customer Stripe deleted with no_customer, changing nothing', async () => {
    const tenant = await billingTenant(t.db)
    const cus = customerObject({
      email: `deleted-${stripeId('x')}@example.com`,
      name: 'Deleted',
      created: at(2026, 1, 1),
    })
    await ingestAll(
      t.db,
      stripeEvent('customer.created', cus, at(2026, 1, 1)),
      stripeEvent('customer.deleted', { ...cus, deleted: true }, at(2026, 2, 1)),
    )
    const before = (await auditEntries(t.db, 'billing.customer.link')).length

    const result = await linkBillingCustomer(
      t.db,
      { actor: null },
      { customerId: cus.id, tenantId: tenant.id },
      new Date(),
    )

    expect(result).toEqual({ ok: false, reason: 'no_customer' })
    expect(await customerRow(t.db, cus.id)).toMatchObject({ tenant_id: null, deleted: true })
    expect((await auditEntries(t.db, 'billing.customer.link')).length).toBe(before)
  })

  it('keeps the link through a reprocess of the whole ledger', async () => {
    const tenant = await billingTenant(t.db)
    const { cus, sub } = await unmatchedWithHistory()
    await linkBillingCustomer(
      t.db,
      { actor: null },
      { customerId: cus.id, tenantId: tenant.id },
      new Date(),
    )

    await reprocessLedger(t.db)

    expect(await customerRow(t.db, cus.id)).toMatchObject({
      tenant_id: tenant.id,
      matched_by: 'link',
    })
    expect((await subscriptionRow(t.db, sub.id))?.tenant_id).toBe(tenant.id)
    expect(await movementLines(t.db, cus.id)).toEqual(['new 2000 eur 2026-01'])
    expect(await tenantBilling(t.db, tenant.id)).toMatchObject({ billing_mrr_cents: 2000 })
  })
})
