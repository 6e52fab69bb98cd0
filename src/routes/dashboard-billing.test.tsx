import { describe, expect, it } from 'vitest'
import {
  insertInvoice,
  insertMovement,
  insertStripeEvent,
  insertSubscription,
} from '../test-support/billing-rows.js'
import { createTenant } from '../test-support/factories.js'
import { linkHrefs, textOf } from '../test-support/html.js'
import { getPage } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// The dashboard's revenue tiles (issue 12 item 4) from projection rows, fleet-wide and scoped.

const t = useTestApp()
const DAY = 86_400_000

const value = (html: string, tile: string) => textOf(html, `#tile-${tile} [data-kpi-value]`)
const notes = (html: string, tile: string) => textOf(html, `#tile-${tile}`) ?? ''

async function dashboard(cookie: string) {
  const res = await getPage(t.app, '/', cookie)
  expect(res.status).toBe(200)
  return res.text()
}

describe('/ revenue tiles', () => {
  it('shows one "No billing data" tile linking to /billing before Stripe sent anything', async () => {
    const { cookie } = await t.signedInOwner()
    const html = await dashboard(cookie)
    expect(value(html, 'billing')).toBe('No billing data')
    expect(linkHrefs(html, 'Billing').at(-1)).toBe('/billing')
    expect(html).not.toContain('id="tile-mrr"')
  })

  it('shows MRR, today’s paid invoices and today’s churn, per currency, scoped by the picker', async () => {
    const { cookie } = await t.signedInOwner()
    const now = t.clock.now()
    const startOfDay = now - (now % DAY)
    const [mine, other] = [await createTenant(t.db), await createTenant(t.db)]
    await insertStripeEvent(t.db)
    await insertSubscription(t.db, { tenant_id: mine.id, mrr_cents: 10_000 })
    await insertSubscription(t.db, { tenant_id: other.id, mrr_cents: 5_000 })
    await insertSubscription(t.db, { tenant_id: other.id, mrr_cents: 2_000, currency: 'usd' })
    const paid = { status: 'paid', currency: 'eur', paid_at: new Date(startOfDay) }
    await insertInvoice(t.db, { ...paid, tenant_id: mine.id, amount_paid: 10_000 })
    await insertInvoice(t.db, { ...paid, tenant_id: other.id, amount_paid: 5_000 })
    await insertInvoice(t.db, { ...paid, amount_paid: 7_777, paid_at: new Date(startOfDay - 1) })
    await insertMovement(t.db, {
      kind: 'churn',
      tenant_id: other.id,
      mrr_before_cents: 3_000,
      occurred_at: new Date(now),
    })
    await insertMovement(t.db, {
      kind: 'churn',
      mrr_before_cents: 9_000,
      occurred_at: new Date(startOfDay - 1),
    })
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: mine.id,
      recent: [mine.id],
    })

    const all = await dashboard(cookie)
    const scoped = await dashboard(`${cookie}; ${scope}`)

    expect(value(all, 'mrr')).toBe('€150.00')
    expect(notes(all, 'mrr')).toContain('Also $20.00 (USD)')
    expect(value(all, 'revenue-today')).toBe('€150.00')
    expect(value(all, 'churn-today')).toBe('1')
    expect(notes(all, 'churn-today')).toContain('€30.00 MRR lost')
    expect(linkHrefs(all, 'MRR')).toEqual(['/billing'])
    expect(value(scoped, 'mrr')).toBe('€100.00')
    expect(notes(scoped, 'mrr')).not.toContain('USD')
    expect(value(scoped, 'revenue-today')).toBe('€100.00')
    expect(value(scoped, 'churn-today')).toBe('0')
  })
})
