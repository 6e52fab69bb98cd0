import type { KyselyPlugin } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { addMembership, createTenant, createUser } from '../test-support/factories.js'
import { alertText, parseHtml, tableRow, textOf } from '../test-support/html.js'
import {
  cookieOfRole,
  followWithFlash,
  insertTestPlan,
  recordApiCalls,
  recordStorage,
  tenantPlanRow,
} from '../test-support/plan-scenes.js'
import { getPage, postForm } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// /licences (issue 9 item 2): tenants by plan and status (SVG chart and table), list-price MRR,
// tenants over and near a quota from memberships, storage snapshots and API usage, the
// one-click plan change, and the customer picker's scope. Each file has its own database, so the
// numbers below are the whole fleet of this file.

const t = useTestApp()
let cookie: string
let small: string
let big: string
const tenants: Record<string, { id: string; slug: string }> = {}

const now = () => new Date(t.clock.now())
const day = (daysAgo: number) =>
  new Date(t.clock.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)

async function withMembers(planId: string, members: number) {
  const tenant = await createTenant(t.db, { planId })
  for (let k = 1; k < members; k++) await addMembership(t.db, await createUser(t.db), tenant)
  return tenant
}

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
  small = await insertTestPlan(t.db, {
    name: 'Small',
    priceCentsMonthly: 2500,
    maxMembers: 5,
    maxStorageBytes: 10 * 1024 * 1024,
    maxApiCallsPerDay: 100,
  })
  big = await insertTestPlan(t.db, { name: 'Big', priceCentsMonthly: 10000 })
  tenants.calm = await withMembers(small, 2)
  tenants.crowded = await withMembers(small, 6) // over members (6 > 5)
  tenants.full = await withMembers(small, 5) // at the limit: near
  tenants.heavy = await withMembers(small, 1)
  await recordStorage(t.db, tenants.heavy.id, 8.5 * 1024 * 1024) // 85 %: near
  tenants.chatty = await withMembers(small, 1)
  await recordApiCalls(t.db, tenants.chatty.id, day(3), 150) // over, within 7 days
  tenants.old = await withMembers(small, 1)
  await recordApiCalls(t.db, tenants.old.id, day(9), 900) // outside the window: calm
  tenants.paused = await withMembers(small, 1)
  await changeTenantStatus(t.db, { actor: null }, tenants.paused.id, 'suspend')
  tenants.large = await withMembers(big, 1)
})

describe('the licences page', () => {
  it('draws tenants by plan and status as an SVG image with the numbers in a table beside it', async () => {
    const res = await getPage(t.app, '/licences', cookie)
    expect(res.status).toBe(200)
    const html = await res.text()
    const svg = parseHtml(html).querySelector('svg[role="img"]')!
    expect(svg.getAttribute('aria-labelledby')).toBe('distribution-title distribution-desc')
    expect(textOf(html, 'svg title')).toBe('Tenants by plan and status')
    expect(textOf(html, 'svg desc')).toContain(
      'Small: 7 (6 active, 1 suspended, 0 provisioning, 0 failed)',
    )
    expect(tableRow(html, `distribution-${small}`)).toMatchObject({
      active: '6',
      suspended: '1',
      Total: '7',
    })
    expect(tableRow(html, `distribution-${big}`)).toMatchObject({ active: '1', Total: '1' })
  })

  it('gives MRR at list price: active tenants × monthly price, per plan and in total', async () => {
    const html = await (await getPage(t.app, '/licences', cookie)).text()
    expect(tableRow(html, `mrr-${small}`)).toMatchObject({
      'Active tenants': '6',
      'MRR (list price)': '$150.00',
    })
    expect(tableRow(html, `mrr-${big}`)['MRR (list price)']).toBe('$100.00')
    expect(textOf(html, '#mrr-total-usd th')).toBe('Total in USD')
    expect(textOf(html, '#mrr-total-usd td')).toBe('$250.00')
    expect(html).toContain('List price, not revenue')
  })

  it('lists tenants over a quota and tenants at 80 % or more, from members, storage and API usage', async () => {
    const html = await (await getPage(t.app, '/licences', cookie)).text()
    const over = parseHtml(html)
      .querySelectorAll('#over-table tbody tr')
      .map((r) => r.id)
    expect(over.sort()).toEqual(
      [`over-table-${tenants.chatty.slug}`, `over-table-${tenants.crowded.slug}`].sort(),
    )
    expect(tableRow(html, `over-table-${tenants.crowded.slug}`).Members).toBe('6 / 5 (120 %) over')
    expect(
      tableRow(html, `over-table-${tenants.chatty.slug}`)['API calls / day (peak, 7 days)'],
    ).toBe('150 / 100 (150 %) over')
    const near = parseHtml(html)
      .querySelectorAll('#near-table tbody tr')
      .map((r) => r.id)
    expect(near).toEqual([`near-table-${tenants.full.slug}`, `near-table-${tenants.heavy.slug}`])
    expect(tableRow(html, `near-table-${tenants.heavy.slug}`).Storage).toBe('8.5 MB / 10 MB (85 %)')
    expect(textOf(html, '#over-quota-title')).toBe('Over a quota (2)')
  })

  it('scopes every part to the customer the picker chose', async () => {
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: tenants.crowded.id,
      recent: [],
    })
    const html = await (await getPage(t.app, '/licences', `${cookie}; ${scope}`)).text()
    expect(tableRow(html, `distribution-${small}`)).toMatchObject({ active: '1', Total: '1' })
    expect(tableRow(html, `mrr-${small}`)['MRR (list price)']).toBe('$25.00')
    expect(textOf(html, '#over-quota-title')).toBe('Over a quota (1)')
    expect(textOf(html, '#near-quota-title')).toBe('At 80 % or more of a quota (0)')
  })

  it('shows viewers the page without plan-change controls', async () => {
    const viewer = await cookieOfRole(t.db, t.config, 'viewer', now())
    const html = await (await getPage(t.app, '/licences', viewer)).text()
    expect(textOf(html, '#over-quota-title')).toBe('Over a quota (2)')
    expect(html).not.toContain('/plan"')
  })

  it('reads the page in a fixed number of statements, however many tenants are near a quota', async () => {
    let statements = 0
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => (statements++, args.result),
    }
    const db = t.db.withPlugin(counter)
    const app = createApp({ config: t.config, database: { ...t.database, db }, now: t.clock.now })
    const cost = async () => {
      statements = 0
      expect((await getPage(app, '/licences', cookie)).status).toBe(200)
      return statements
    }
    await cost()
    const one = await cost()
    for (let i = 0; i < 3; i++) await withMembers(small, 5)
    expect(await cost()).toBe(one)
    // The session, plans, the status counts, the two quota lists and Stripe MRR by plan.
    expect(one).toBeLessThanOrEqual(7)
  })
})

describe('the one-click plan change', () => {
  it('moves the tenant, writes plan_changed_at and the audit entry, and comes back with a flash', async () => {
    const tenant = await withMembers(small, 1)
    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}/plan`,
      { planId: big, back: '/licences' },
      cookie,
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/licences')
    expect(await followWithFlash(t.app, res, cookie)).toContain(`${tenant.slug} moved to Big.`)
    expect(await tenantPlanRow(t.db, tenant.id)).toEqual({ plan_id: big, plan_changed_at: now() })
    const [entry] = (await auditEntries(t.db, 'tenant.plan_change')).filter(
      (e) => e.target_id === tenant.id,
    )
    expect(entry.before).toEqual({ planId: small, planChangedAt: null })
    expect(entry.after).toEqual({ planId: big, planChangedAt: now().toISOString() })
  })

  it('refuses an archived plan with a flash and changes nothing', async () => {
    const archived = await insertTestPlan(t.db, { name: 'Old', archived: true })
    const tenant = await withMembers(small, 1)
    const before = await countRows(t.db, 'audit_log')
    const res = await postForm(t.app, `/tenants/${tenant.id}/plan`, { planId: archived }, cookie)
    expect(res.status).toBe(303)
    expect(alertText(await followWithFlash(t.app, res, cookie))).toBe(
      `Old is archived and takes no new tenants; ${tenant.slug} was not moved.`,
    )
    expect((await tenantPlanRow(t.db, tenant.id)).plan_id).toBe(small)
    expect(await countRows(t.db, 'audit_log')).toBe(before)
  })

  it('never redirects off-site: a foreign back address falls back to a local page', async () => {
    const tenant = await withMembers(small, 1)
    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}/plan`,
      { planId: big, back: 'https://evil.example/x' },
      cookie,
    )
    expect(res.headers.get('location')).toBe('/licences')
  })

  it('answers 400 without a plan and 404 for an unknown tenant', async () => {
    const tenant = await withMembers(small, 1)
    expect((await postForm(t.app, `/tenants/${tenant.id}/plan`, {}, cookie)).status).toBe(400)
    const missing = '00000000-0000-4000-8000-000000000000'
    expect(
      (await postForm(t.app, `/tenants/${missing}/plan`, { planId: big }, cookie)).status,
    ).toBe(404)
  })

  it('refuses operators (403) and leaves the tenant where it was', async () => {
    const tenant = await withMembers(small, 1)
    const operator = await cookieOfRole(t.db, t.config, 'operator', now())
    const res = await postForm(t.app, `/tenants/${tenant.id}/plan`, { planId: big }, operator)
    expect(res.status).toBe(403)
    expect((await tenantPlanRow(t.db, tenant.id)).plan_id).toBe(small)
  })
})
