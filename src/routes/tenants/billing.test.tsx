import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliverStripeEvent } from '../../billing/stripe-delivery.js'
import { listPendingBillingRequests } from '../../db/billing-requests.js'
import type { OperatorRole } from '../../db/schema.js'
import { findTenantById, type Tenant } from '../../db/tenants.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createSuperAdmin, createTenant } from '../../test-support/factories.js'
import {
  CARD_DECLINED,
  KEY_REFUSED,
  startFakeStripe,
  type FakeStripe,
} from '../../test-support/fake-stripe.js'
import { parseHtml, readableText } from '../../test-support/html.js'
import { followWithFlash } from '../../test-support/plan-scenes.js'
import { getPage, postForm, signIn } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'
import { dunningScene } from './billing-scenes.js'

// The tenant's Billing tab and its two requests to Stripe (issue 12 items 4–5), against the fake
// Stripe API over HTTP; the webhook that follows goes through the real endpoint.

const SECRET = 'whsec_tenant_billing_tab'
// Read by useTestApp's beforeAll, after the fake below has its port.
const env = {
  STRIPE_WEBHOOK_SECRET: SECRET,
  STRIPE_SECRET_KEY: 'sk_test_fleetdeck',
  STRIPE_API_URL: '',
}
let fake: FakeStripe
beforeAll(async () => {
  fake = await startFakeStripe({
    webhookSecret: SECRET,
    delivery: 'manual',
    now: () => t.clock.now(),
    deliver: async (payload, signature) =>
      deliverStripeEvent(t.app, {}, SECRET, { body: payload, signature }),
  })
  env.STRIPE_API_URL = fake.url
})
afterAll(() => fake.close())
const t = useTestApp(env)

async function signedIn(role: OperatorRole = 'admin') {
  const who = await createSuperAdmin(t.db, t.config, { role })
  return { who, cookie: await signIn(t.app, who, t.clock) }
}

/** A tenant in dunning for 2 days, built from Stripe's events through the endpoint. */
async function tenantInDunning() {
  const tenant = await createTenant(t.db)
  const scene = dunningScene(tenant, Math.floor(t.clock.now() / 1000))
  for (const e of scene.events)
    expect((await deliverStripeEvent(t.app, e, SECRET)).status).toBe(200)
  fake.putInvoice(scene.openInvoice)
  return { tenant, ...scene }
}

const tab = (tenant: Tenant) => `/tenants/${tenant.id}/billing`
const payment = (tenant: Tenant, invoiceId: string) =>
  `/tenants/${tenant.id}/billing/invoices/${invoiceId}/payment`

const invoiceRow = (id: string) =>
  t.db.selectFrom('saas_invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const requestsOf = (invoiceId: string) =>
  t.db.selectFrom('billing_requests').selectAll().where('invoice_id', '=', invoiceId).execute()
const stripeCallsTo = (invoiceId: string) =>
  fake.requests.filter((r) => r.path === `/v1/invoices/${invoiceId}/pay`)

describe('tenant billing tab', () => {
  it('shows the subscription, card, customer, dunning days left and invoices newest first', async () => {
    const { cookie } = await signedIn('viewer')
    const s = await tenantInDunning()

    const res = await getPage(t.app, tab(s.tenant), cookie)
    const html = await res.text()

    expect(res.status).toBe(200)
    expect(html).toContain('Professional')
    expect(html).toContain('past due')
    expect(html).toContain('€49.00 per month')
    expect(html).toContain('€98.00') // MRR: 2 seats × €49
    expect(html).toContain('€1,176.00') // ARR
    expect(html).toContain('Dunning · 5 days left')
    expect(html).toContain('visa •••• 4242, expires 12/2030')
    expect(html).toContain(s.customer.id)
    const open = html.indexOf(String(s.openInvoice.number))
    expect(open).toBeGreaterThan(0)
    expect(open).toBeLessThan(html.indexOf(String(s.paidInvoice.number)))
    expect(html).toContain(`href="${s.openInvoice.hosted_invoice_url}" rel="noopener noreferrer"`)
    // A viewer sees no actions.
    expect(html).not.toContain('Mark paid out of band')
  })

  it('an admin marks an invoice paid out of band: Stripe is asked, the page waits for the webhook, then shows it paid', async () => {
    const { who, cookie } = await signedIn('admin')
    const s = await tenantInDunning()
    expect(await getPage(t.app, tab(s.tenant), cookie).then((r) => r.text())).toContain(
      'Mark paid out of band',
    )

    const res = await postForm(
      t.app,
      payment(s.tenant, s.openInvoice.id),
      { mode: 'out_of_band' },
      cookie,
    )

    expect(res.status).toBe(303)
    const page = await followWithFlash(t.app, res, cookie)
    expect(readableText(parseHtml(page))).toContain(
      `Requested: mark ${s.openInvoice.number} paid out of band. Waiting for Stripe's webhook to confirm.`,
    )
    const [call] = stripeCallsTo(s.openInvoice.id)
    expect(call).toMatchObject({
      method: 'POST',
      form: { paid_out_of_band: 'true' },
      authorized: true,
    })
    expect(call!.idempotencyKey).toMatch(/^fleetdeck-[0-9a-f-]{36}$/)
    const [request] = await requestsOf(s.openInvoice.id)
    expect(request).toMatchObject({
      action: 'mark_paid_out_of_band',
      tenant_id: s.tenant.id,
      requested_by: who.admin.id,
      stripe_status: 'paid',
    })
    expect(call!.idempotencyKey).toBe(`fleetdeck-${request!.id}`)
    const [entry] = (await auditEntries(t.db, 'billing.invoice.mark_paid_requested')).filter(
      (e) => e.target_id === s.openInvoice.id,
    )
    expect(entry).toMatchObject({
      target_type: 'invoice',
      tenant_id: s.tenant.id,
      actor_id: who.admin.id,
    })
    expect(entry!.after).toEqual({ requestedMode: 'out_of_band', requestId: request!.id })
    // The projection waits for Stripe's webhook.
    expect((await invoiceRow(s.openInvoice.id)).status).toBe('open')
    expect(page).toContain(`Mark paid requested by ${who.admin.email}`)
    expect(page).toContain('waiting for Stripe')

    const delivered = (await fake.flush()) as Response[]

    expect(delivered.map((r) => r.status)).toEqual([200])
    expect(await invoiceRow(s.openInvoice.id)).toMatchObject({
      status: 'paid',
      paid_out_of_band: true,
    })
    expect((await findTenantById(t.db, s.tenant.id))?.dunningStartedAt).toBeNull()
    const after = await (await getPage(t.app, tab(s.tenant), cookie)).text()
    expect(after).not.toContain('waiting for Stripe')
    expect(after).toContain('out of band')
    expect(after).toContain('Not in dunning')
  })

  it('"Retry charge now" asks Stripe to pay without out of band, then the webhooks mark it paid', async () => {
    const { cookie } = await signedIn('owner')
    const s = await tenantInDunning()

    const res = await postForm(
      t.app,
      payment(s.tenant, s.openInvoice.id),
      { mode: 'retry' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookie)).toContain(
      `Requested: retry the charge of ${s.openInvoice.number}.`,
    )
    expect(stripeCallsTo(s.openInvoice.id).map((r) => r.form)).toEqual([{}])
    expect((await requestsOf(s.openInvoice.id)).map((r) => r.action)).toEqual(['retry_charge'])
    expect(
      (await auditEntries(t.db, 'billing.invoice.retry_requested')).some(
        (e) => e.target_id === s.openInvoice.id,
      ),
    ).toBe(true)
    expect((await invoiceRow(s.openInvoice.id)).status).toBe('open')
    expect(fake.queued().map((e) => e.type)).toEqual(['invoice.paid', 'invoice.payment_succeeded'])

    await fake.flush()

    expect(await invoiceRow(s.openInvoice.id)).toMatchObject({
      status: 'paid',
      paid_out_of_band: false,
    })
  })

  it("a declined card is an error flash with Stripe's message, and nothing is written", async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()
    fake.failNextPay(s.openInvoice.id, CARD_DECLINED)

    const res = await postForm(
      t.app,
      payment(s.tenant, s.openInvoice.id),
      { mode: 'retry' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookie)).toContain(
      'Stripe refused: Your card was declined. Nothing changed.',
    )
    expect(stripeCallsTo(s.openInvoice.id)).toHaveLength(1)
    const [request] = await requestsOf(s.openInvoice.id)
    expect(request).toMatchObject({ action: 'retry_charge', stripe_status: 'refused' })
    const audited = async (action: string) =>
      (await auditEntries(t.db, action)).filter((e) => e.target_id === s.openInvoice.id)
    expect(await audited('billing.invoice.retry_requested')).toHaveLength(1)
    const [refused] = await audited('billing.invoice.payment_request_refused')
    expect(refused!.after).toMatchObject({ requestId: request!.id, code: 'card_declined' })
    expect(
      await listPendingBillingRequests(t.db, [s.openInvoice.id], new Date(t.clock.now())),
    ).toEqual([])
    expect(fake.queued()).toEqual([])
    // No longer pending: the admin may retry again, and Stripe is asked again.
    await postForm(t.app, payment(s.tenant, s.openInvoice.id), { mode: 'retry' }, cookie)
    expect(stripeCallsTo(s.openInvoice.id)).toHaveLength(2)
    await fake.flush()
  })

  it('two admins asking at once reach Stripe once: the second waits for the lock and sees the first pending', async () => {
    const first = await signedIn('admin')
    const second = await signedIn('owner')
    const s = await tenantInDunning()
    // Stripe answers slowly: without the request recorded first, both would pass the check.
    fake.delayPays(500)

    const post = (cookie: string) =>
      postForm(t.app, payment(s.tenant, s.openInvoice.id), { mode: 'retry' }, cookie)
    const [a, b] = await Promise.all([post(first.cookie), post(second.cookie)]).finally(() =>
      fake.delayPays(0),
    )

    expect([a.status, b.status]).toEqual([303, 303])
    expect(stripeCallsTo(s.openInvoice.id)).toHaveLength(1)
    expect(await requestsOf(s.openInvoice.id)).toHaveLength(1)
    const requested = (await auditEntries(t.db, 'billing.invoice.retry_requested')).filter(
      (e) => e.target_id === s.openInvoice.id,
    )
    expect(requested).toHaveLength(1)
    await fake.flush()
  })

  it("a refused key is a generic error naming Stripe's request id, never Stripe's text", async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()
    fake.failNextPay(s.openInvoice.id, KEY_REFUSED)

    const res = await postForm(
      t.app,
      payment(s.tenant, s.openInvoice.id),
      { mode: 'out_of_band' },
      cookie,
    )

    const page = await followWithFlash(t.app, res, cookie)
    expect(page).toMatch(
      /Stripe could not be reached or refused the key \(request id req_fake\d+\)/,
    )
    expect(page).not.toContain('sk_test')
    expect(page).not.toContain('Invalid API Key')
    const [request] = await requestsOf(s.openInvoice.id)
    expect(request!.stripe_status).toBe('unreachable')
    const [refused] = (await auditEntries(t.db, 'billing.invoice.payment_request_refused')).filter(
      (e) => e.target_id === s.openInvoice.id,
    )
    expect(refused!.after).toMatchObject({ errorType: 'StripeAuthenticationError' })
  })

  it('refuses a paid invoice without asking Stripe', async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()

    const res = await postForm(
      t.app,
      payment(s.tenant, s.paidInvoice.id),
      { mode: 'out_of_band' },
      cookie,
    )

    expect(await followWithFlash(t.app, res, cookie)).toContain(
      'The invoice is paid; only an open invoice can be paid. Nothing was requested.',
    )
    expect(stripeCallsTo(s.paidInvoice.id)).toEqual([])
    expect(await requestsOf(s.paidInvoice.id)).toEqual([])
  })

  it('refuses a second request of the same kind while the first waits for Stripe', async () => {
    const { who, cookie } = await signedIn('admin')
    const s = await tenantInDunning()
    fake.putInvoice(s.openInvoice) // Stripe has not paid it yet (say its webhook is late)
    await postForm(t.app, payment(s.tenant, s.openInvoice.id), { mode: 'out_of_band' }, cookie)
    fake.putInvoice(s.openInvoice)

    const res = await postForm(
      t.app,
      payment(s.tenant, s.openInvoice.id),
      { mode: 'out_of_band' },
      cookie,
    )

    expect(await followWithFlash(t.app, res, cookie)).toContain(
      `${who.admin.email} already asked at`,
    )
    expect(stripeCallsTo(s.openInvoice.id)).toHaveLength(1)
    expect(await requestsOf(s.openInvoice.id)).toHaveLength(1)
    await fake.flush()
  })

  it("another tenant's invoice is a 404, and Stripe is not asked", async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()
    const other = await createTenant(t.db)

    const res = await postForm(
      t.app,
      payment(other, s.openInvoice.id),
      { mode: 'out_of_band' },
      cookie,
    )

    expect(res.status).toBe(404)
    expect(stripeCallsTo(s.openInvoice.id)).toEqual([])
    expect(await requestsOf(s.openInvoice.id)).toEqual([])
  })

  it('an unknown mode is a malformed request (400), nothing asked', async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()

    const res = await postForm(
      t.app,
      payment(s.tenant, s.openInvoice.id),
      { mode: 'refund' },
      cookie,
    )

    expect(res.status).toBe(400)
    expect(stripeCallsTo(s.openInvoice.id)).toEqual([])
    expect(await requestsOf(s.openInvoice.id)).toEqual([])
  })

  it('an unknown invoice is a 404 even with an unknown mode', async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()

    const res = await postForm(t.app, payment(s.tenant, 'in_nosuch'), { mode: 'refund' }, cookie)

    expect(res.status).toBe(404)
  })

  it('links an invoice only at an https: URL; a javascript: URL from a replayed event is not a link', async () => {
    const { cookie } = await signedIn('viewer')
    const s = await tenantInDunning()
    await t.db
      .updateTable('saas_invoices')
      .set({ hosted_invoice_url: 'javascript:alert(1)', invoice_pdf: 'http://example.com/x.pdf' })
      .where('id', '=', s.openInvoice.id)
      .execute()

    const html = await (await getPage(t.app, tab(s.tenant), cookie)).text()

    expect(html).not.toContain('javascript:')
    expect(html).not.toContain('href="http://example.com/x.pdf"')
    expect(html).toContain(`href="${s.paidInvoice.hosted_invoice_url}"`)
  })

  it('asks for a fresh TOTP code first (step-up), asking Stripe nothing', async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()
    t.clock.advance(11 * 60_000)

    const res = await postForm(
      t.app,
      payment(s.tenant, s.openInvoice.id),
      { mode: 'out_of_band' },
      cookie,
      {
        referer: `http://localhost${tab(s.tenant)}`,
      },
    )

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/step-up?next=${encodeURIComponent(tab(s.tenant))}`)
    expect(stripeCallsTo(s.openInvoice.id)).toEqual([])
  })

  it.each(['viewer', 'support', 'operator'] as const)(
    '%s may view the tab but not ask Stripe (403)',
    async (role) => {
      const { cookie } = await signedIn(role)
      const s = await tenantInDunning()

      const page = await getPage(t.app, tab(s.tenant), cookie)
      const res = await postForm(
        t.app,
        payment(s.tenant, s.openInvoice.id),
        { mode: 'out_of_band' },
        cookie,
      )

      expect(page.status).toBe(200)
      expect(res.status).toBe(403)
      expect(stripeCallsTo(s.openInvoice.id)).toEqual([])
    },
  )

  it('an unknown tenant is a 404; a malformed limit a 400', async () => {
    const { cookie } = await signedIn('admin')
    const s = await tenantInDunning()
    const unknown = '00000000-0000-4000-8000-000000000000'

    expect((await getPage(t.app, `/tenants/${unknown}/billing`, cookie)).status).toBe(404)
    expect(
      (
        await postForm(
          t.app,
          `/tenants/${unknown}/billing/invoices/${s.openInvoice.id}/payment`,
          { mode: 'retry' },
          cookie,
        )
      ).status,
    ).toBe(404)
    expect((await getPage(t.app, `${tab(s.tenant)}?limit=lots`, cookie)).status).toBe(400)
  })

  it('caps the invoices with a link to more', async () => {
    const { cookie } = await signedIn('viewer')
    const s = await tenantInDunning()

    const html = await (await getPage(t.app, `${tab(s.tenant)}?limit=1`, cookie)).text()

    expect(html).toContain(String(s.openInvoice.number))
    expect(html).not.toContain(String(s.paidInvoice.number))
    expect(html).toContain(`href="/tenants/${s.tenant.id}/billing?limit=2#invoices"`)
  })

  it('a tenant without billing explains how a Stripe customer is matched', async () => {
    const { cookie } = await signedIn('viewer')
    const tenant = await createTenant(t.db)

    const html = await (await getPage(t.app, tab(tenant), cookie)).text()

    expect(html).toContain('No Stripe customer is matched to this tenant yet')
    expect(html).toContain(tenant.id)
    expect(html).toContain(tenant.billingEmail)
    expect(html).toContain('href="/billing"')
  })
})

describe('tenant billing actions without STRIPE_SECRET_KEY', () => {
  const bare = useTestApp({ STRIPE_WEBHOOK_SECRET: SECRET })

  it('refuses, saying Stripe is not configured, and records nothing', async () => {
    const { cookie } = await bare.signedInOwner()
    const tenant = await createTenant(bare.db)
    const s = dunningScene(tenant, Math.floor(bare.clock.now() / 1000))
    for (const e of s.events) await deliverStripeEvent(bare.app, e, SECRET)

    const page = await (await getPage(bare.app, tab(tenant), cookie)).text()
    const res = await postForm(
      bare.app,
      payment(tenant, s.openInvoice.id),
      { mode: 'out_of_band' },
      cookie,
    )

    expect(page).toContain('needs STRIPE_SECRET_KEY')
    expect(await followWithFlash(bare.app, res, cookie)).toContain(
      'Stripe is not configured on this server (STRIPE_SECRET_KEY): nothing was requested.',
    )
    const rows = await bare.db.selectFrom('billing_requests').selectAll().execute()
    expect(rows).toEqual([])
  })
})

describe('tenant billing actions when Stripe cannot be reached', () => {
  // Nothing listens on port 9 of 127.0.0.1: the SDK's connection is refused.
  const down = useTestApp({
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_SECRET_KEY: 'sk_test_fleetdeck',
    STRIPE_API_URL: 'http://127.0.0.1:9',
  })

  it('says Stripe could not be reached, shows no detail, and the request stops waiting', async () => {
    const { cookie } = await down.signedInOwner()
    const tenant = await createTenant(down.db)
    const s = dunningScene(tenant, Math.floor(down.clock.now() / 1000))
    for (const e of s.events) await deliverStripeEvent(down.app, e, SECRET)

    const res = await postForm(
      down.app,
      payment(tenant, s.openInvoice.id),
      { mode: 'retry' },
      cookie,
    )

    const page = await followWithFlash(down.app, res, cookie)
    expect(page).toContain('Stripe could not be reached or refused the key (request id none)')
    expect(page).not.toContain('127.0.0.1')
    const rows = await down.db.selectFrom('billing_requests').selectAll().execute()
    expect(rows.map((r) => r.stripe_status)).toEqual(['unreachable'])
    expect(
      await listPendingBillingRequests(down.db, [s.openInvoice.id], new Date(down.clock.now())),
    ).toEqual([])
  })
})
