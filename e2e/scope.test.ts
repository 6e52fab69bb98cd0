// Admin mode and the customer picker in a real Chromium against the real server (issue 7 items 5
// and 9): the operator narrows the console to one customer picked from the searchable list, sees
// /tenants and /audit change and the top bar say so, and flips the shield back to all customers.
// Tenants are made the way the console makes them (record, then the onboarding pipeline), on the
// server's own database (PGlite shared on loopback, or PostgreSQL). axe-core checks every state.
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import type { Tenant } from '../src/db/tenants.js'
import { createTenant } from '../src/test-support/factories.js'
import {
  openPage,
  openServerDatabase,
  setUpFirstOwner,
  createTestDatabase,
  runAxe,
  startServer,
  waitForText,
  type AxeViolation,
  type RunningServer,
  graveViolations,
} from './helpers.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
const backend = serverUrl ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let handle: DatabaseHandle
let browser: Browser
let page: Page
let acme: Tenant
let globex: Tenant
const consoleErrors: string[] = []
const accessibility = new Map<string, AxeViolation[]>()

async function checkAccessibility(name: string): Promise<void> {
  accessibility.set(name, await runAxe(page))
}

const scopeLabel = () => page.locator('#scope-label')

/** The slugs in the /tenants table, top to bottom. */
async function tenantSlugs(): Promise<string[]> {
  await page.goto(`${server.baseUrl}/tenants`)
  return (await page.locator('#tenant-table tbody td:first-child a').allInnerTexts()).map((s) =>
    s.trim(),
  )
}

/** The audit table's column headers and the tenants its rows name. */
async function auditView(): Promise<{ columns: string[]; tenants: string[] }> {
  await page.goto(`${server.baseUrl}/audit`)
  const columns = (await page.locator('#audit-results thead th').allInnerTexts()).map((s) =>
    s.trim().toLowerCase(),
  )
  const at = columns.indexOf('tenant')
  const tenants =
    at < 0
      ? []
      : (await page.locator(`#audit-results tbody td:nth-child(${at + 1})`).allInnerTexts()).map(
          (s) => s.trim(),
        )
  return { columns, tenants: [...new Set(tenants)] }
}

/** The tenants the audit rows on the page are about, from the database (ids → slugs). */
async function auditTenantsShown(): Promise<string[]> {
  const seqs = await page
    .locator('#audit-results tbody tr[data-seq]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))
  if (seqs.length === 0) return []
  const rows = await handle.db
    .selectFrom('audit_log')
    .leftJoin('tenants', 'tenants.id', 'audit_log.tenant_id')
    .select('tenants.slug')
    .distinct()
    .where('audit_log.seq', 'in', seqs)
    .execute()
  return rows.map((r) => r.slug ?? '(none)').sort()
}

describe(`admin mode and the customer picker in Chromium (${backend})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({ databaseUrl: database?.url })
    handle = await openServerDatabase(server, database)
    ;({ browser, page } = await openPage(consoleErrors))
  })

  afterAll(async () => {
    await handle?.close()
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
  })

  it('sets up the first owner, with two customers in the fleet', async () => {
    acme = await createTenant(handle.db, { slug: `acme-${suffix}`, name: `Acme Anvils ${suffix}` })
    globex = await createTenant(handle.db, { slug: `globex-${suffix}`, name: `Globex ${suffix}` })
    expect([acme.status, globex.status]).toEqual(['active', 'active'])

    await setUpFirstOwner(page, server.setupLink, owner)

    expect((await scopeLabel().innerText()).trim()).toBe('All customers')
    expect(await tenantSlugs()).toEqual(expect.arrayContaining([acme.slug, globex.slug]))
    expect(
      await page.getByRole('button', { name: 'Admin mode' }).getAttribute('aria-pressed'),
    ).toBe('true')
    await checkAccessibility('tenants, all customers')
    const audit = await auditView()
    expect(audit.columns).toContain('tenant')
    expect(audit.tenants).toEqual(expect.arrayContaining([acme.slug, globex.slug]))
  })

  it('picks one customer from the searchable list with the keyboard', async () => {
    await page.goto(`${server.baseUrl}/tenants`)
    await page.getByRole('link', { name: 'Choose a customer' }).click()
    const search = page.getByLabel('Search customers (slug or name)')
    // The picker opened in place (same page), with the focus in its search field.
    await expect.poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true)
    expect(new URL(page.url()).pathname).toBe('/tenants')
    await waitForText(page.locator('#scope-picker-results'), 'All customers')
    await checkAccessibility('customer picker open')

    await page.keyboard.type('anvils')
    await waitForText(page.locator('#scope-picker-count'), '1 customer matching “anvils”.')
    await page.screenshot({ path: '/tmp/fleetdeck-scope-picker.png' })
    const choice = page.getByRole('button', { name: `${acme.name} (${acme.slug})` })
    expect(await page.locator('#scope-picker-results').innerText()).not.toContain(globex.slug)
    await choice.focus()
    await page.keyboard.press('Enter')

    await waitForText(scopeLabel(), `Scoped to ${acme.name} (${acme.slug})`)
    await waitForText(page.locator('[role="status"]').first(), `Scoped to ${acme.name}`)
    expect(new URL(page.url()).pathname).toBe('/tenants')
    await checkAccessibility('tenants, scoped to one customer')
    await page.screenshot({ path: '/tmp/fleetdeck-scope-customer.png', fullPage: true })
  })

  it('shows only that customer on /tenants and /audit, without a tenant column', async () => {
    expect(await tenantSlugs()).toEqual([acme.slug])
    const audit = await auditView()
    expect(audit.columns).not.toContain('tenant')
    expect(await auditTenantsShown()).toEqual([acme.slug])
    await waitForText(scopeLabel(), `Scoped to ${acme.name} (${acme.slug})`)
    await checkAccessibility('audit, scoped to one customer')
  })

  it('Escape closes the picker and gives the focus back to its link', async () => {
    const link = page.getByRole('link', { name: 'Change customer' })
    await link.click()
    await waitForText(page.locator('#scope-picker-results'), globex.slug)
    expect(await link.getAttribute('aria-expanded')).toBe('true')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('#scope-picker-panel').count()).toBe(0)
    expect(await link.evaluate((el) => el === document.activeElement)).toBe(true)
    expect(await link.getAttribute('aria-expanded')).toBe('false')
  })

  it('flips the shield back to all customers, and again to the last customer', async () => {
    await page.getByRole('button', { name: 'Admin mode' }).click()
    await waitForText(scopeLabel(), 'All customers')
    expect(new URL(page.url()).pathname).toBe('/audit')
    const audit = await auditView()
    expect(audit.columns).toContain('tenant')
    expect(audit.tenants).toEqual(expect.arrayContaining([acme.slug, globex.slug]))
    await checkAccessibility('audit, all customers')
    expect(await tenantSlugs()).toEqual(expect.arrayContaining([acme.slug, globex.slug]))

    // Viewing a tenant makes it the most recent; the shield narrows to it.
    await page.goto(`${server.baseUrl}/tenants/${globex.id}`)
    await page.getByRole('button', { name: 'Admin mode' }).click()
    await waitForText(scopeLabel(), `Scoped to ${globex.name} (${globex.slug})`)
    expect(await tenantSlugs()).toEqual([globex.slug])
    await page.getByRole('button', { name: 'Admin mode' }).click()
    await waitForText(scopeLabel(), 'All customers')
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    const grave = graveViolations(accessibility)
    console.log(
      `axe-core (${backend}): ` +
        JSON.stringify([...accessibility].map(([name, v]) => [name, v.map((x) => x.id)])),
    )
    expect(accessibility.size).toBe(5)
    expect(grave).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
