import { beforeAll, describe, expect, it } from 'vitest'
import { deliverStripeEvent } from '../billing/stripe-delivery.js'
import { createSuperAdmin, createTenant, uniqueSuffix } from '../test-support/factories.js'
import { rowCells } from '../test-support/html.js'
import { getPage, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { dunningScene } from './tenants/billing-scenes.js'

// Issue 12 item 4 on the tenants table and the tenant page: the MRR column (sortable, in each
// tenant's currency, "—" without billing), the dunning badge and filter, the compact Billing
// section with its link to the tab.

const SECRET = 'whsec_tenants_billing_column'
const t = useTestApp({ STRIPE_WEBHOOK_SECRET: SECRET })
const DAY_MS = 86_400_000
let cookie: string

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
})

async function body(path: string, who = cookie) {
  const res = await getPage(t.app, path, who)
  return { status: res.status, html: await res.text() }
}

/** Slugs of the table's rows, top to bottom. */
function rowSlugs(html: string): string[] {
  return [
    ...html.matchAll(/<tr id="tenant-[^"]+"[\s\S]*?<a href="\/tenants\/[^"]+"[^>]*>([^<]+)</g),
  ].map((m) => m[1]!)
}

/** The projection's tenant columns, as the billing ingest keeps them. */
function setBilling(id: string, mrrCents: number | null, currency: string | null, dunning?: Date) {
  return t.db
    .updateTable('tenants')
    .set({
      billing_mrr_cents: mrrCents,
      billing_currency: currency,
      dunning_started_at: dunning ?? null,
    })
    .where('id', '=', id)
    .execute()
}

describe('the tenants table MRR column and dunning', () => {
  let marker: string
  let small: { id: string; slug: string }
  let big: { id: string; slug: string }
  let none: { id: string; slug: string }
  let overdue: { id: string; slug: string }

  beforeAll(async () => {
    marker = `mrr${uniqueSuffix()}`
    small = await createTenant(t.db, { name: `Small ${marker}` })
    big = await createTenant(t.db, { name: `Big ${marker}` })
    none = await createTenant(t.db, { name: `None ${marker}` })
    overdue = await createTenant(t.db, { name: `Overdue ${marker}` })
    const now = t.clock.now()
    await setBilling(small.id, 4_900, 'eur', new Date(now - 2 * DAY_MS))
    await setBilling(big.id, 120_000, 'usd')
    await setBilling(none.id, null, null)
    await setBilling(overdue.id, 9_800, 'eur', new Date(now - 8 * DAY_MS))
  })

  it('sorts by MRR either way, tenants without billing last', async () => {
    const desc = await body(`/tenants?q=${marker}&sort=mrr&dir=desc`)
    const asc = await body(`/tenants?q=${marker}&sort=mrr&dir=asc`)

    expect(rowSlugs(desc.html)).toEqual([big.slug, overdue.slug, small.slug, none.slug])
    expect(rowSlugs(asc.html)).toEqual([small.slug, overdue.slug, big.slug, none.slug])
    expect(desc.html).toContain('aria-sort="descending"')
  })

  it('shows MRR in the tenant’s currency, "—" without billing, and the dunning badges', async () => {
    const { html } = await body(`/tenants?q=${marker}`)

    expect(rowCells(html, `tenant-${big.id}`).join(' ')).toContain('$1,200.00')
    const smallRow = rowCells(html, `tenant-${small.id}`).join(' ')
    expect(smallRow).toContain('€49.00')
    expect(smallRow).toContain('Dunning · 5 days left')
    expect(rowCells(html, `tenant-${overdue.id}`).join(' ')).toContain('Suggest suspend')
    expect(rowCells(html, `tenant-${none.id}`).join(' ')).toContain('—')
  })

  it('filters on dunning: every tenant in it, or only those past the 7-day window', async () => {
    const inDunning = await body(`/tenants?q=${marker}&dunning=in`)
    const suspend = await body(`/tenants?q=${marker}&dunning=suggest_suspend`)
    const junk = await body(`/tenants?q=${marker}&dunning=everyone`)

    expect(rowSlugs(inDunning.html).sort()).toEqual([small.slug, overdue.slug].sort())
    expect(rowSlugs(suspend.html)).toEqual([overdue.slug])
    expect(rowSlugs(junk.html)).toHaveLength(4)
    // A bulk change stores a filter without dunning: it is not offered on the narrowed list.
    expect(inDunning.html).not.toContain('id="bulk-change"')
    expect(junk.html).toContain('id="bulk-change"')
  })

  it('keeps the dunning filter in the sort links', async () => {
    const { html } = await body(`/tenants?q=${marker}&dunning=in`)

    expect(html).toContain(`href="/tenants?q=${marker}&amp;dunning=in&amp;sort=mrr&amp;dir=desc"`)
  })
})

describe('the tenant page Billing section', () => {
  it('shows MRR, the subscription status, the dunning badge and the link to the tab', async () => {
    const tenant = await createTenant(t.db)
    const scene = dunningScene(tenant, Math.floor(t.clock.now() / 1000))
    for (const e of scene.events) await deliverStripeEvent(t.app, e, SECRET)
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const viewerCookie = await signIn(t.app, viewer, t.clock)

    const { html } = await body(`/tenants/${tenant.id}`, viewerCookie)

    const section = html.slice(
      html.indexOf('id="billing"'),
      html.indexOf('</section>', html.indexOf('id="billing"')),
    )
    expect(section).toContain('€98.00')
    expect(section).toContain('past due')
    expect(section).toContain('Dunning · 5 days left')
    expect(section).toContain(`href="/tenants/${tenant.id}/billing"`)
  })

  it('says "none in Stripe" for a tenant without billing', async () => {
    const tenant = await createTenant(t.db)

    const { html } = await body(`/tenants/${tenant.id}`)

    const section = html.slice(
      html.indexOf('id="billing"'),
      html.indexOf('</section>', html.indexOf('id="billing"')),
    )
    expect(section).toContain('none in Stripe')
    expect(section).toContain('—')
  })
})
