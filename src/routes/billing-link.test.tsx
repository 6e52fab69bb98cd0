import { describe, expect, it } from 'vitest'
import type { OperatorRole } from '../db/schema.js'
import {
  insertCustomer,
  insertStripeEvent,
  insertSubscription,
} from '../test-support/billing-rows.js'
import { createSuperAdmin, createTenant } from '../test-support/factories.js'
import { fieldError, tableRow, textOf } from '../test-support/html.js'
import { cookieFrom, getPage, postForm, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// /billing's unmatched Stripe customers and their link to a tenant (issue 12 item 2): listed for
// every role, linked by owners and admins only, with step-up, 422 on an unknown slug, audited.

const t = useTestApp()

async function signedIn(role: OperatorRole) {
  return signIn(t.app, await createSuperAdmin(t.db, t.config, { role }), t.clock)
}

const linkPath = (customerId: string) => `/billing/customers/${customerId}/tenant`

function customerRow(id: string) {
  return t.db.selectFrom('billing_customers').selectAll().where('id', '=', id).executeTakeFirst()
}

function linkAudits(customerId: string) {
  return t.db.selectFrom('audit_log').selectAll().where('target_id', '=', customerId).execute()
}

describe('/billing unmatched customers', () => {
  it('lists customers without a tenant, with their MRR, and leaves out matched and deleted ones', async () => {
    const cookie = await signedIn('owner')
    await insertStripeEvent(t.db)
    const tenant = await createTenant(t.db)
    const lost = await insertCustomer(t.db, { email: 'ap@lost.example', name: 'Lost Ltd' })
    await insertSubscription(t.db, { customer_id: lost.id, currency: 'eur', mrr_cents: 4_200 })
    const matched = await insertCustomer(t.db, { tenant_id: tenant.id, matched_by: 'email' })
    const deleted = await insertCustomer(t.db, { deleted: true })

    const html = await (await getPage(t.app, '/billing', cookie)).text()

    expect(tableRow(html, `unmatched-${lost.id}`)).toMatchObject({
      Email: 'ap@lost.example',
      Name: 'Lost Ltd',
      MRR: '€42.00',
    })
    expect(html).not.toContain(`unmatched-${matched.id}`)
    expect(html).not.toContain(`unmatched-${deleted.id}`)
    expect(html).toContain(`action="${linkPath(lost.id)}"`)
  })

  it('links a customer to the tenant of a slug, moves its subscriptions, and audits it', async () => {
    const cookie = await signedIn('admin')
    const tenant = await createTenant(t.db)
    const customer = await insertCustomer(t.db)
    const sub = await insertSubscription(t.db, { customer_id: customer.id })

    const res = await postForm(t.app, linkPath(customer.id), { slug: tenant.slug }, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/billing')
    expect((await customerRow(customer.id))?.tenant_id).toBe(tenant.id)
    const moved = await t.db
      .selectFrom('saas_billing')
      .select('tenant_id')
      .where('subscription_id', '=', sub.subscription_id)
      .executeTakeFirstOrThrow()
    expect(moved.tenant_id).toBe(tenant.id)
    const audits = await linkAudits(customer.id)
    expect(audits).toHaveLength(1)
    expect(audits[0]).toMatchObject({ tenant_id: tenant.id, target_type: 'billing_customer' })
    const flash = cookieFrom(res, 'fleetdeck_flash')
    const after = await (await getPage(t.app, '/billing', `${cookie}; ${flash}`)).text()
    expect(textOf(after, '[role="status"], [role="alert"]')).toContain(`Linked ${customer.id}`)
    expect(after).not.toContain(`unmatched-${customer.id}`)
  })

  it('refuses an unknown or empty slug with 422 next to the field, changing nothing', async () => {
    const cookie = await signedIn('owner')
    const customer = await insertCustomer(t.db)

    const unknown = await postForm(t.app, linkPath(customer.id), { slug: 'no-such-tenant' }, cookie)
    const empty = await postForm(t.app, linkPath(customer.id), { slug: ' ' }, cookie)

    expect(unknown.status).toBe(422)
    const html = await unknown.text()
    expect(fieldError(html, 'slug')).toBe('No tenant has this slug.')
    expect(html).toContain('value="no-such-tenant"')
    expect(empty.status).toBe(422)
    expect(fieldError(await empty.text(), 'slug')).toContain('Enter the slug')
    expect((await customerRow(customer.id))?.tenant_id).toBeNull()
    expect(await linkAudits(customer.id)).toHaveLength(0)
  })

  it('answers 404 for a customer it does not know', async () => {
    const cookie = await signedIn('owner')
    const tenant = await createTenant(t.db)

    const unknown = await postForm(t.app, linkPath('cus_nobody'), { slug: tenant.slug }, cookie)

    expect(unknown.status).toBe(404)
    expect(await linkAudits('cus_nobody')).toHaveLength(0)
  })

  // Needs fix-ingest's linkBillingCustomer (ff4683e: `no_customer` for a deleted customer); the
  // route no longer checks `deleted` itself. Unskip when that branch is merged.
  it('answers 404 for a customer Stripe deleted, linking nothing', async () => {
    const cookie = await signedIn('owner')
    const tenant = await createTenant(t.db)
    const deleted = await insertCustomer(t.db, { deleted: true })

    const gone = await postForm(t.app, linkPath(deleted.id), { slug: tenant.slug }, cookie)

    expect(gone.status).toBe(404)
    expect((await customerRow(deleted.id))?.tenant_id).toBeNull()
    expect(await linkAudits(deleted.id)).toHaveLength(0)
  })

  it('refuses a deleted tenant with 422 next to the field: the link verb decides, nothing changes', async () => {
    const cookie = await signedIn('owner')
    const gone = await createTenant(t.db)
    await t.db.updateTable('tenants').set({ status: 'deleted' }).where('id', '=', gone.id).execute()
    const customer = await insertCustomer(t.db)

    const res = await postForm(t.app, linkPath(customer.id), { slug: gone.slug }, cookie)

    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'slug')).toBe('No tenant has this slug.')
    expect((await customerRow(customer.id))?.tenant_id).toBeNull()
    expect(await linkAudits(customer.id)).toHaveLength(0)
  })

  it.each(['operator', 'support', 'viewer'] as const)(
    'shows a %s the list without the link form, and refuses their link with 403',
    async (role) => {
      const cookie = await signedIn(role)
      const tenant = await createTenant(t.db)
      const customer = await insertCustomer(t.db)

      const html = await (await getPage(t.app, '/billing', cookie)).text()
      const res = await postForm(t.app, linkPath(customer.id), { slug: tenant.slug }, cookie)

      expect(html).toContain(`unmatched-${customer.id}`)
      expect(html).not.toContain(`action="${linkPath(customer.id)}"`)
      expect(res.status).toBe(403)
      expect((await customerRow(customer.id))?.tenant_id).toBeNull()
    },
  )

  it('sends an owner whose TOTP is older than 10 minutes to step-up, linking nothing', async () => {
    const cookie = await signedIn('owner')
    const tenant = await createTenant(t.db)
    const customer = await insertCustomer(t.db)
    t.clock.advance(11 * 60_000)

    const res = await postForm(t.app, linkPath(customer.id), { slug: tenant.slug }, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up/)
    expect((await customerRow(customer.id))?.tenant_id).toBeNull()
    expect(await linkAudits(customer.id)).toHaveLength(0)
  })
})
