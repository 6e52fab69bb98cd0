import { describe, expect, it } from 'vitest'
import {
  insertInvoice,
  insertMovement,
  insertStripeEvent,
  insertSubscription,
} from '../test-support/billing-rows.js'
import { createTenant } from '../test-support/factories.js'
import {
  definition,
  parseHtml,
  readableText,
  rowCells,
  tableRow,
  textOf,
} from '../test-support/html.js'
import { getPage } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// /billing (issue 12 item 4): the numbers come from projection rows inserted here. The database
// is shared by the tests of this file, so each test uses a currency of its own or a tenant scope.

const t = useTestApp()
const DAY = 86_400_000
const HOUR = 3_600_000

async function page(cookie: string) {
  const res = await getPage(t.app, '/billing', cookie)
  expect(res.status).toBe(200)
  return res.text()
}

/** The HTML of one element (a section) of the page, for questions scoped to it. */
function part(html: string, selector: string): string {
  const element = parseHtml(html).querySelector(selector)
  if (!element) throw new Error(`no ${selector}`)
  return element.toString()
}

/** The UTC month `back` months before `now`, as `YYYY-MM`. */
function monthOf(now: Date, back: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))
    .toISOString()
    .slice(0, 7)
}

describe('/billing', () => {
  it('says how to start while Stripe has sent nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const html = await page(cookie)
    expect(textOf(html, '#billing-empty')).toContain('No Stripe events yet — configure the webhook')
  })

  it('shows MRR, ARR and paying subscriptions per currency, never summed across currencies', async () => {
    const { cookie } = await t.signedInOwner()
    await insertStripeEvent(t.db)
    await insertSubscription(t.db, { currency: 'chf', mrr_cents: 5_000 })
    await insertSubscription(t.db, { currency: 'chf', mrr_cents: 7_050, status: 'past_due' })
    await insertSubscription(t.db, { currency: 'chf', mrr_cents: 0, status: 'trialing' })
    await insertSubscription(t.db, { currency: 'chf', mrr_cents: 0, status: 'canceled' })
    await insertSubscription(t.db, { currency: 'sek', mrr_cents: 3_000 })

    const html = await page(cookie)

    const chf = part(html, '#revenue-chf')
    expect(definition(chf, 'MRR')).toBe('CHF 120.50')
    expect(definition(chf, 'ARR')).toBe('CHF 1,446.00')
    expect(definition(chf, 'Paying subscriptions')).toBe('2')
    expect(definition(part(html, '#revenue-sek'), 'MRR')).toBe('SEK 30.00')
    expect(textOf(html, '#billing-note')).toContain('never converted or added across currencies')
  })

  it('charts 12 UTC months of movements, 0 where nothing moved, with the table of the same numbers', async () => {
    const { cookie } = await t.signedInOwner()
    const now = new Date(t.clock.now())
    await insertMovement(t.db, {
      kind: 'new',
      currency: 'nok',
      mrr_after_cents: 5_000,
      occurred_at: now,
    })
    await insertMovement(t.db, {
      kind: 'churn',
      currency: 'nok',
      mrr_before_cents: 2_000,
      occurred_at: now,
    })
    const twoAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 10))
    await insertMovement(t.db, {
      kind: 'expansion',
      currency: 'nok',
      mrr_before_cents: 1_000,
      mrr_after_cents: 2_500,
      occurred_at: twoAgo,
    })
    const tooOld = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 12, 28))
    await insertMovement(t.db, {
      kind: 'new',
      currency: 'nok',
      mrr_after_cents: 9_900,
      occurred_at: tooOld,
    })

    const html = await page(cookie)

    const table = part(html, '#movements-nok')
    expect(parseHtml(table).querySelectorAll('tbody tr')).toHaveLength(12)
    expect(tableRow(table, `movements-nok-${monthOf(now, 0)}`)).toMatchObject({
      New: 'NOK 50.00',
      Churn: '-NOK 20.00',
      Net: 'NOK 30.00',
    })
    expect(tableRow(table, `movements-nok-${monthOf(now, 2)}`)).toMatchObject({
      Expansion: 'NOK 15.00',
      Net: 'NOK 15.00',
    })
    expect(tableRow(table, `movements-nok-${monthOf(now, 1)}`).Net).toBe('NOK 0.00')
    expect(table).not.toContain(monthOf(now, 12))
    const svg = parseHtml(html).querySelector('#chart-nok')
    expect(svg?.getAttribute('role')).toBe('img')
    expect(textOf(html, '#chart-nok title')).toContain('net +NOK 45.00')
  })

  it('counts this month’s cancellations and downgrades, and lists the churned tenants', async () => {
    const { cookie } = await t.signedInOwner()
    const now = new Date(t.clock.now())
    const [gone, smaller] = [await createTenant(t.db), await createTenant(t.db)]
    await insertMovement(t.db, {
      kind: 'churn',
      currency: 'dkk',
      tenant_id: gone.id,
      mrr_before_cents: 5_000,
      occurred_at: now,
    })
    await insertMovement(t.db, {
      kind: 'contraction',
      currency: 'dkk',
      tenant_id: smaller.id,
      mrr_before_cents: 3_000,
      mrr_after_cents: 2_000,
      occurred_at: now,
    })
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 1)
    await insertMovement(t.db, {
      kind: 'churn',
      currency: 'dkk',
      mrr_before_cents: 9_000,
      occurred_at: lastMonth,
    })

    const html = await page(cookie)

    expect(rowCells(html, 'churn-dkk')).toEqual(['DKK', '1', '1', 'DKK 60.00'])
    const churned = part(html, '#churned')
    expect(churned).toContain(`href="/tenants/${gone.id}"`)
    expect(churned).not.toContain(smaller.id)
  })

  it('with a tenant picked, shows only that tenant’s revenue, churn and dunning', async () => {
    const { cookie } = await t.signedInOwner()
    const [mine, other] = [await createTenant(t.db), await createTenant(t.db)]
    await insertSubscription(t.db, { currency: 'pln', mrr_cents: 4_000, tenant_id: mine.id })
    const theirs = await insertSubscription(t.db, {
      currency: 'pln',
      mrr_cents: 6_000,
      tenant_id: other.id,
      status: 'past_due',
      dunning_started_at: new Date(t.clock.now()),
    })
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: mine.id,
      recent: [mine.id],
    })

    const all = await page(cookie)
    const scoped = await page(`${cookie}; ${scope}`)

    expect(definition(part(all, '#revenue-pln'), 'MRR')).toBe('PLN 100.00')
    expect(definition(part(scoped, '#revenue-pln'), 'MRR')).toBe('PLN 40.00')
    expect(all).toContain(`dunning-${theirs.subscription_id}`)
    expect(scoped).not.toContain(`dunning-${theirs.subscription_id}`)
    expect(textOf(scoped, '#billing-note')).toContain(`${mine.name} only`)
    expect(scoped).not.toContain('id="unmatched"')
  })

  it('lists dunning by fewest days left, with the invoice due, and suggests suspension after 7 days', async () => {
    const { cookie } = await t.signedInOwner()
    const now = t.clock.now()
    const tenants = [await createTenant(t.db), await createTenant(t.db), await createTenant(t.db)]
    const ages = [0, 6 * DAY + 23 * HOUR, 7 * DAY]
    const subs = []
    for (const [i, tenant] of tenants.entries()) {
      const started = new Date(now - ages[i]!)
      const sub = await insertSubscription(t.db, {
        currency: 'usd',
        tenant_id: tenant.id,
        status: 'past_due',
        dunning_started_at: started,
      })
      await insertInvoice(t.db, {
        customer_id: sub.customer_id,
        subscription_id: sub.subscription_id,
        tenant_id: tenant.id,
        currency: 'usd',
        amount_due: 4_900 + i,
        attempt_count: i + 1,
        first_failed_at: started,
      })
      subs.push(sub)
    }

    const html = await page(cookie)

    const [fresh, lastDay, over] = subs.map((s) => tableRow(html, `dunning-${s.subscription_id}`))
    expect(fresh).toMatchObject({ 'Days left': '7', 'Amount due': '$49.00', Attempts: '1' })
    expect(lastDay).toMatchObject({ 'Days left': '1', 'Amount due': '$49.01', Attempts: '2' })
    expect(over).toMatchObject({ 'Days left': '0 Suggest suspend', Attempts: '3' })
    expect(fresh!['Days left']).not.toContain('Suggest')
    const order = subs.map((s) => html.indexOf(`dunning-${s.subscription_id}`))
    expect(order[2]).toBeLessThan(order[1]!)
    expect(order[1]).toBeLessThan(order[0]!)
    expect(part(html, `#dunning-${subs[2]!.subscription_id}`)).toContain(
      `href="/tenants/${tenants[2]!.id}"`,
    )
  })

  it('lists renewals whose period ends from now to exactly 14 days ahead, "ends" when canceling', async () => {
    const { cookie } = await t.signedInOwner()
    const now = t.clock.now()
    const at = (ms: number) => new Date(now + ms)
    const dueNow = await insertSubscription(t.db, { current_period_end: at(0) })
    const dueLast = await insertSubscription(t.db, {
      current_period_end: at(14 * DAY),
      cancel_at_period_end: true,
    })
    const tooLate = await insertSubscription(t.db, { current_period_end: at(14 * DAY + 1) })
    const past = await insertSubscription(t.db, { current_period_end: at(-1) })
    const canceled = await insertSubscription(t.db, {
      current_period_end: at(DAY),
      status: 'canceled',
    })

    const html = await page(cookie)

    expect(tableRow(html, `renewal-${dueNow.subscription_id}`).Then).toBe('renews')
    expect(tableRow(html, `renewal-${dueLast.subscription_id}`).Then).toBe('ends')
    for (const gone of [tooLate, past, canceled]) {
      expect(html).not.toContain(`renewal-${gone.subscription_id}`)
    }
  })

  it('groups subscriptions by plan with MRR and counts by status', async () => {
    const { cookie } = await t.signedInOwner()
    const now = t.clock.now()
    const pro = { currency: 'czk', product_name: 'Pro CZ', price_id: 'price_cz' }
    await insertSubscription(t.db, { ...pro, mrr_cents: 5_000 })
    await insertSubscription(t.db, { ...pro, mrr_cents: 5_000, status: 'past_due' })
    await insertSubscription(t.db, { ...pro, mrr_cents: 0, status: 'trialing' })
    await insertSubscription(t.db, {
      ...pro,
      mrr_cents: 0,
      status: 'canceled',
      canceled_at: new Date(now),
    })
    await insertSubscription(t.db, {
      ...pro,
      mrr_cents: 0,
      status: 'canceled',
      canceled_at: new Date(now - 40 * DAY),
    })

    const html = await page(cookie)

    const row = parseHtml(html)
      .querySelectorAll('#plans-table tbody tr')
      .find((r) => r.textContent.includes('Pro CZ'))
    expect(row).toBeDefined()
    const cells = row!.querySelectorAll('td').map(readableText)
    expect(cells.slice(1)).toEqual(['per month', 'CZK', '2', 'CZK 100.00', '1', '1', '1', '1'])
  })
})
