// The operator's story, end to end in a real Chromium against the real server:
// first-owner setup → mandatory TOTP enrolment → sign out / sign in with a fresh code →
// create a tenant (and refuse a bad slug) → search, suspend, activate, edit → audit log →
// Stripe billing (issue 12): events for the tenant through the real webhook, /billing, the
// tenant's Billing tab, "mark paid out of band" against a fake Stripe API, and the webhook back →
// delete. Embedded PGlite by default; a fresh PostgreSQL database when TEST_DATABASE_URL is set.
// axe-core checks every page the story visits (WCAG 2 AA): no serious or critical violation.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CHROMIUM_ARGS,
  createTestDatabase,
  runAxe,
  startServer,
  totpCode,
  waitForPath,
  waitForStepAfter,
  waitForText,
  type AxeViolation,
  type RunningServer,
  graveViolations,
} from './helpers.js'
import { deliverStripeEvent } from '../src/billing/stripe-delivery.js'
import { dunningScene, type DunningScene } from '../src/routes/tenants/billing-scenes.js'
import { startFakeStripe, type FakeStripe } from '../src/test-support/fake-stripe.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
const backend = serverUrl ? 'PostgreSQL' : 'embedded PGlite'

const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const tenant = {
  slug: `e2e-${suffix}`,
  name: `Zephyr Logistics ${suffix}`,
  billingEmail: `billing-${suffix}@zephyr.example`,
  firstAdminEmail: `ada-${suffix}@zephyr.example`,
  firstAdminName: 'Ada Zephyr',
}
const schemaName = `tenant_${tenant.slug.replace(/-/g, '_')}`

let server: RunningServer
/** Stripe's API as the server reaches it (STRIPE_API_URL); it delivers to the server's webhook. */
let stripe: FakeStripe
const webhookSecret = `whsec_story_${suffix}`
let billing: DunningScene
/** The server as Stripe reaches it: POST /webhooks/stripe over HTTP. */
const serverTarget = {
  request: (path: string, init: RequestInit) => fetch(server.baseUrl + path, init),
}
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let browser: Browser
let context: BrowserContext
let page: Page
const consoleErrors: string[] = []
/** Console errors a test provokes on purpose (a refused action is logged by Chromium and htmx). */
const expectedConsoleErrors: RegExp[] = []

let totpKey = ''
let lastTotpStep = 0
let tenantPath = ''

/** Does the tenant's schema exist? Asked of PostgreSQL directly, or of the tenant page on PGlite. */
async function schemaExists(): Promise<boolean> {
  if (database) {
    const rows = await database.query('select 1 from pg_namespace where nspname = $1', [schemaName])
    return rows.length === 1
  }
  await page.goto(server.baseUrl + tenantPath)
  const text = await page.locator('#schema-status').innerText()
  expect(text).toContain(schemaName)
  if (text.includes('present')) return true
  if (text.includes('missing')) return false
  throw new Error(`unexpected schema status: ${text}`)
}

/** axe-core's findings per page the story checked, by a name for that page. */
const accessibility = new Map<string, AxeViolation[]>()

/** Runs axe on the page as it is now and keeps the findings under `name`. */
async function checkAccessibility(name: string): Promise<void> {
  accessibility.set(name, await runAxe(page))
}

async function heading(): Promise<string> {
  return (await page.locator('h1').first().innerText()).trim()
}

describe(`Fleetdeck story in Chromium (${backend})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    stripe = await startFakeStripe({
      webhookSecret,
      delivery: 'manual',
      deliver: async (payload, signature) => {
        const res = await deliverStripeEvent(serverTarget, {}, webhookSecret, {
          body: payload,
          signature,
        })
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`)
      },
    })
    server = await startServer({
      databaseUrl: database?.url,
      env: {
        STRIPE_WEBHOOK_SECRET: webhookSecret,
        STRIPE_SECRET_KEY: `sk_test_story_${suffix}`,
        STRIPE_API_URL: stripe.url,
      },
    })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    page.on('console', (message) => {
      if (message.type() !== 'error') return
      // Chromium logs every 4xx response as "Failed to load resource". A 422 is the designed
      // answer to bad input (DESIGN.md §9) and is asserted where it happens; nothing else is excused.
      if (
        /^Failed to load resource: the server responded with a status of 422\b/.test(message.text())
      )
        return
      if (expectedConsoleErrors.some((pattern) => pattern.test(message.text()))) return
      // The story opens one address that does not exist, to check the 404 page.
      if (
        message.location().url.endsWith('/no-such-page') &&
        /status of 404\b/.test(message.text())
      )
        return
      consoleErrors.push(
        `${page.url()}: console.error: ${message.text()} (${message.location().url})`,
      )
    })
    // Suspending asks for confirmation (window.confirm through hx-confirm): the operator agrees.
    page.on('dialog', (dialog) => void dialog.accept())
    page.on('pageerror', (error) =>
      consoleErrors.push(`${page.url()}: pageerror: ${error.message}`),
    )
  })

  afterAll(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
    await stripe?.close()
    await database?.drop()
  })

  it('prints a one-time setup link that creates the first owner and enrols TOTP', async () => {
    expect(server.setupLink).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/enrol\/[a-z2-7]{32}\.[a-z2-7]{32}$/,
    )
    await page.goto(server.setupLink)
    expect(await heading()).toBe('Create the first owner')
    await checkAccessibility('setup: create the first owner')
    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Name', { exact: true }).fill(owner.name)
    await page.getByLabel('Password', { exact: true }).fill(owner.password)
    await page.getByLabel('Repeat password', { exact: true }).fill(owner.password)
    await page.getByRole('button', { name: 'Continue' }).click()

    await waitForPath(page, '/enrol/totp')
    expect(await heading()).toBe('Enrol your authenticator')
    await page.locator('[role="img"][aria-label^="QR image"] svg').waitFor({ state: 'visible' })
    totpKey = (await page.locator('#totp-key').innerText()).trim()
    await checkAccessibility('enrolment: authenticator')
    expect(totpKey).toMatch(/^[A-Z2-7]{16,}$/)

    const { code, step } = totpCode(totpKey)
    await page.getByLabel('Code', { exact: true }).fill(code)
    await page.getByRole('button', { name: /Confirm/ }).click()
    lastTotpStep = step

    await waitForPath(page, '/tenants')
    expect(await heading()).toBe('Tenants')
    await waitForText(page.getByRole('status'), 'Authenticator enrolled')
    await checkAccessibility('tenants (empty fleet)')

    // The link is one-time: a second use is refused.
    const again = await context.request.get(server.setupLink)
    expect(again.status()).toBe(404)
  })

  it('signs out, and signs in again with password and a new TOTP code', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await waitForPath(page, '/login')
    // Console pages need a session now.
    await page.goto(server.baseUrl + '/tenants')
    await waitForPath(page, '/login')
    await checkAccessibility('sign-in: password')

    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Password', { exact: true }).fill(owner.password)
    await page.getByRole('button', { name: 'Continue' }).click()
    await waitForPath(page, '/login/totp')
    expect(await heading()).toBe('Authentication code')
    await checkAccessibility('sign-in: code')

    // Each TOTP step is accepted once: the enrolment used this step's code.
    await waitForStepAfter(lastTotpStep)
    const { code, step } = totpCode(totpKey)
    expect(step).toBeGreaterThan(lastTotpStep)
    await page.getByLabel('Code', { exact: true }).fill(code)
    await page.getByRole('button', { name: 'Sign in' }).click()
    lastTotpStep = step

    // Operators land on the dashboard; the tenants table is one click away.
    await waitForPath(page, '/')
    expect(await heading()).toBe('Dashboard')
    await checkAccessibility('dashboard')
    await page.getByRole('link', { name: 'Tenants', exact: true }).click()
    await waitForPath(page, '/tenants')
    expect(await heading()).toBe('Tenants')
  })

  it('refuses an invalid slug with a message next to the field and creates nothing', async () => {
    await page.getByRole('link', { name: 'New tenant' }).click()
    await waitForPath(page, '/tenants/new')
    await checkAccessibility('new tenant')
    const badName = `Bad Slug Co ${suffix}`
    await page.getByLabel('Slug', { exact: true }).fill('Bad Slug')
    await page.getByLabel('Name', { exact: true }).fill(badName)
    await page.getByLabel('Plan', { exact: true }).selectOption('free')
    await page.getByLabel('Billing email', { exact: true }).fill(tenant.billingEmail)
    await page.getByLabel("First admin's email", { exact: true }).fill(tenant.firstAdminEmail)
    await page.getByLabel("First admin's name", { exact: true }).fill(tenant.firstAdminName)
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/tenants' && r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Create tenant' }).click(),
    ])
    expect(response.status()).toBe(422)
    // The swapped form puts focus on its first invalid field.
    await page.waitForFunction(() => document.activeElement?.id === 'field-slug')

    const slug = page.getByLabel('Slug', { exact: true })
    const message = page.locator('#field-slug-error')
    await waitForText(
      message,
      'Use 2–39 lowercase letters, digits or dashes, starting with a letter.',
    )
    expect(await slug.getAttribute('aria-invalid')).toBe('true')
    expect(await slug.getAttribute('aria-describedby')).toBe('field-slug-error')
    // What was typed is kept.
    expect(await slug.inputValue()).toBe('Bad Slug')
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(badName)
    expect(new URL(page.url()).pathname).toBe('/tenants/new')
    await checkAccessibility('new tenant with an error')

    await page.goto(`${server.baseUrl}/tenants?q=${encodeURIComponent(badName)}`)
    await waitForText(page.locator('#tenant-table'), 'No tenants match.')
    if (database) {
      const rows = await database.query('select 1 from tenants where name = $1', [badName])
      expect(rows).toHaveLength(0)
    }
  })

  it('creates a tenant through the onboarding pipeline', async () => {
    await page.goto(server.baseUrl + '/tenants')
    await page.getByRole('link', { name: 'New tenant' }).click()
    await waitForPath(page, '/tenants/new')
    await page.getByLabel('Slug', { exact: true }).fill(tenant.slug)
    await page.getByLabel('Name', { exact: true }).fill(tenant.name)
    await page.getByLabel('Plan', { exact: true }).selectOption('free')
    await page.getByLabel('Billing email', { exact: true }).fill(tenant.billingEmail)
    await page.getByLabel("First admin's email", { exact: true }).fill(tenant.firstAdminEmail)
    await page.getByLabel("First admin's name", { exact: true }).fill(tenant.firstAdminName)
    await page.getByRole('button', { name: 'Create tenant' }).click()

    await waitForPath(page, /^\/tenants\/[0-9a-f-]{36}$/, 60_000)
    tenantPath = new URL(page.url()).pathname
    await waitForText(page.getByRole('status'), `Tenant ${tenant.slug} is ready.`)
    expect(await heading()).toBe(tenant.name)
    await waitForText(page.locator('#tenant-header'), 'active')

    const steps = await page.locator('#onboarding li').allInnerTexts()
    expect(steps.length).toBeGreaterThanOrEqual(5)
    for (const step of steps) expect(step).toMatch(/\bdone\b/)
    expect(steps.join('\n')).toContain('Create schema')

    const members = await page.locator('#members').innerText()
    expect(members).toContain(tenant.firstAdminEmail)
    expect(members).toContain('owner')

    expect(await schemaExists()).toBe(true)
    await page.goto(server.baseUrl + tenantPath)
    await checkAccessibility('tenant page')
  })

  it('finds the tenant as you type, and suspends and activates it in its row', async () => {
    await page.goto(server.baseUrl + '/tenants')
    expect(await heading()).toBe('Tenants')
    // Marks this document: an htmx swap keeps it, a full page load would lose it.
    await page.evaluate(() => ((window as any).__storyMarker = 'same-document'))
    const stillSameDocument = () =>
      page.evaluate(() => (window as any).__storyMarker === 'same-document')

    // `/` focuses the search from anywhere outside a form control.
    await page.locator('h1').click()
    await page.keyboard.press('/')
    const search = page.getByLabel('Search slug or name', { exact: true })
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true)

    await search.pressSequentially('no-such-tenant-anywhere', { delay: 10 })
    await waitForText(page.locator('#tenant-table'), 'No tenants match.')
    await search.fill('')
    await search.pressSequentially(`logistics ${suffix}`.toUpperCase().slice(0, 14), { delay: 10 })
    const row = page.locator('#tenant-table tbody tr', { hasText: tenant.slug })
    await row.waitFor({ state: 'visible' })
    await waitForText(page.locator('#tenant-table'), /1 tenant matching/)
    expect(await page.locator('#tenant-table tbody tr').count()).toBe(1)
    expect(await stillSameDocument()).toBe(true)
    expect(new URL(page.url()).searchParams.get('q')).toBeTruthy()
    await checkAccessibility('tenants (search results)')

    const suspendedOption = page.locator('#tenant-status-option-suspended')
    const suspendedBefore = Number(/\((\d+)\)/.exec(await suspendedOption.innerText())![1])
    const liveRegion = page.locator('#live-region')
    // Focus comes back to the row once htmx has settled the swap.
    const rowFocused = () =>
      page.waitForFunction(
        (id) => document.activeElement?.closest('tr')?.id === id,
        `tenant-${tenantPath.split('/').pop()}`,
      )

    // Suspend asks first (the dialog is accepted above), then says what happened — in the row
    // and the live region —, keeps focus on the row, refreshes the counts and offers Undo.
    await row.getByRole('button', { name: `Suspend ${tenant.slug}` }).click()
    await row.getByRole('button', { name: `Undo: activate ${tenant.slug}` }).waitFor()
    await waitForText(row.locator('td').nth(3), 'suspended')
    await waitForText(row, `Tenant ${tenant.slug} suspended.`)
    await waitForText(liveRegion, `Tenant ${tenant.slug} suspended.`)
    await rowFocused()
    expect(await suspendedOption.innerText()).toBe(`suspended (${suspendedBefore + 1})`)
    expect(await row.locator('[accesskey]').count()).toBe(0)
    expect(await stillSameDocument()).toBe(true)

    await row.getByRole('button', { name: `Undo: activate ${tenant.slug}` }).click()
    await page.getByRole('button', { name: `Suspend ${tenant.slug}` }).waitFor({ state: 'visible' })
    await waitForText(row.locator('td').nth(3), 'active')
    await waitForText(liveRegion, `Tenant ${tenant.slug} activated.`)
    expect(await suspendedOption.innerText()).toBe(`suspended (${suspendedBefore})`)
    await rowFocused()
    expect(await stillSameDocument()).toBe(true)
  })

  it('shows a refused row action in the row and announces it', async () => {
    // Someone else suspends the tenant while this table still offers Suspend.
    const other = await context.request.post(`${server.baseUrl}${tenantPath}/suspension`, {
      headers: { origin: server.baseUrl },
      maxRedirects: 0,
    })
    expect(other.status()).toBe(303)
    const row = page.locator('#tenant-table tbody tr', { hasText: tenant.slug })
    expectedConsoleErrors.push(/\b409\b/)
    await row.getByRole('button', { name: `Suspend ${tenant.slug}` }).click()

    const message = `${tenant.slug} cannot be suspended from status suspended.`
    await waitForText(row, message)
    await waitForText(page.locator('#live-region'), message)
    expectedConsoleErrors.pop()
    await checkAccessibility('tenants (refused action)')

    const back = await context.request.delete(`${server.baseUrl}${tenantPath}/suspension`, {
      headers: { origin: server.baseUrl },
      maxRedirects: 0,
    })
    expect(back.status()).toBe(303)
  })

  it('keeps one history entry per settled search, and Back brings the whole page back', async () => {
    await page.goto(server.baseUrl + '/tenants')
    const entries = () => page.evaluate(() => history.length)
    const before = await entries()
    const search = page.getByLabel('Search slug or name', { exact: true })
    await search.click()
    // Pauses longer than the 250 ms debounce: one request, and one swap, per pause.
    for (const part of ['zep', 'hyr', ' log']) {
      await search.pressSequentially(part, { delay: 20 })
      await page.waitForTimeout(600)
    }
    await waitForText(page.locator('#tenant-table'), /1 tenant matching “zephyr log”/)
    // Empty filters stay out of the address.
    expect([...new URL(page.url()).searchParams]).toEqual([['q', 'zephyr log']])
    expect(await entries()).toBe(before + 1)

    // Back inside the document: htmx restores /tenants from the server, as a whole page.
    await page.goBack()
    await page.waitForFunction(() => location.pathname === '/tenants' && !location.search)
    await page.locator('nav[aria-label="Sections"]').waitFor()
    await waitForText(page.locator('#tenant-table'), /\d+ tenants?/)
    expect(await heading()).toBe('Tenants')
    expect(await page.locator('nav[aria-label="Sections"]').count()).toBe(1)
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1)

    // Forward to the search, open the tenant by clicking its row, and come Back.
    await page.goForward()
    await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'zephyr log')
    const row = page.locator('#tenant-table tbody tr', { hasText: tenant.slug })
    await row.locator('td').nth(2).click()
    await waitForPath(page, tenantPath)
    await page.goBack()
    await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'zephyr log')
    await row.waitFor()
    expect(await heading()).toBe('Tenants')
    expect(await page.locator('nav[aria-label="Sections"]').count()).toBe(1)
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1)
  })

  it('sorts the table by a column header, and says so with aria-sort', async () => {
    await page.goto(server.baseUrl + '/tenants')
    await page.getByRole('link', { name: 'Name' }).click()
    await page.waitForFunction(() => new URLSearchParams(location.search).get('sort') === 'name')
    expect(new URL(page.url()).searchParams.get('dir')).toBe('asc')
    const header = page.locator('th[aria-sort]')
    expect(await header.count()).toBe(1)
    expect(await header.getAttribute('aria-sort')).toBe('ascending')
    expect(await header.innerText()).toMatch(/^Name/i)
    await checkAccessibility('tenants (sorted by name)')
  })

  it('copies the tenant id from its page', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.baseUrl,
    })
    await page.goto(server.baseUrl + tenantPath)
    const id = tenantPath.split('/').pop()!
    expect((await page.locator('#tenant-id').innerText()).trim()).toBe(id)
    await page.getByRole('button', { name: `Copy the id of ${tenant.slug}` }).click()
    await waitForText(page.locator('#live-region'), `Copied ${id} to the clipboard.`)
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(id)
  })

  it('focuses the first invalid field after a full-page form error', async () => {
    await page.goto(server.baseUrl + tenantPath)
    const name = page.getByLabel('Name', { exact: true })
    // The browser's own checks would stop an empty name before it reaches the server.
    await name.evaluate((el) => ((el as HTMLInputElement).form!.noValidate = true))
    await name.fill('')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.locator('#field-name-error').waitFor()
    await page.waitForFunction(() => document.activeElement?.id === 'field-name')
    await checkAccessibility('tenant page with an error')
  })

  it('keeps the sidebar in view, reflows at 800 px, and has a skip link and focus ring', async () => {
    await page.setViewportSize({ width: 1280, height: 500 })
    await page.goto(server.baseUrl + '/audit')

    // Skip link first in the tab order; it moves focus to the content.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => document.activeElement?.id === 'main')

    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight))
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0)
    const signOut = page.getByRole('button', { name: 'Sign out' })
    const box = (await signOut.boundingBox())!
    expect(box.y).toBeGreaterThanOrEqual(0)
    expect(box.y + box.height).toBeLessThanOrEqual(500)

    // A visible focus ring on the dark sidebar, for keyboard focus.
    await page.getByRole('link', { name: 'Fleetdeck', exact: true }).focus()
    await page.keyboard.press('Tab')
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement!)
      return {
        text: document.activeElement!.textContent,
        style: style.outlineStyle,
        width: style.outlineWidth,
        color: style.outlineColor,
      }
    })
    expect(ring).toEqual({
      text: 'Dashboard',
      style: 'solid',
      width: '2px',
      color: 'rgb(252, 211, 77)',
    })

    // At 800 px the sidebar becomes a bar above the content; the row actions stay in reach.
    await page.setViewportSize({ width: 800, height: 900 })
    await page.goto(server.baseUrl + '/tenants')
    const nav = (await page.locator('nav[aria-label="Sections"]').boundingBox())!
    const main = (await page.locator('main').boundingBox())!
    expect(nav.width).toBeGreaterThan(700)
    expect(main.y).toBeGreaterThanOrEqual(nav.y + nav.height - 1)
    expect(main.width).toBeGreaterThan(700)
    const action = page.getByRole('button', { name: `Suspend ${tenant.slug}` })
    const reach = (await action.boundingBox())!
    expect(reach.x + reach.width).toBeLessThanOrEqual(800)
    await checkAccessibility('tenants at 800 px')
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  it('edits the plan on the tenant page', async () => {
    await page.goto(server.baseUrl + tenantPath)
    const overview = page.locator('#overview')
    await waitForText(overview, /Plan\s+Free/)
    await page.getByLabel('Plan', { exact: true }).selectOption('professional')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await waitForText(page.getByRole('status'), 'Changes saved.')
    await waitForText(overview, /Plan\s+Professional/)
    expect(await page.getByLabel('Plan', { exact: true }).inputValue()).toBe('professional')
  })

  it("receives Stripe's events for the tenant and lists it in dunning on /billing", async () => {
    const id = tenantPath.split('/').pop()!
    billing = dunningScene(
      { id, name: tenant.name, billingEmail: tenant.billingEmail },
      Math.floor(Date.now() / 1000),
    )
    for (const event of billing.events) {
      const res = await deliverStripeEvent(serverTarget, event, webhookSecret)
      expect(res.status, event.type).toBe(200)
    }
    stripe.putInvoice(billing.openInvoice)

    await page.getByRole('link', { name: 'Billing', exact: true }).click()
    await waitForPath(page, '/billing')
    expect(await heading()).toBe('Billing')
    await waitForText(page.locator('#dunning'), tenant.name)
    await checkAccessibility('billing')

    await page.goto(`${server.baseUrl}/tenants?dunning=in`)
    const row = page.locator('#tenant-table tbody tr', { hasText: tenant.slug })
    await waitForText(row, 'Dunning · 5 days left')
    await waitForText(row, '€98.00')
    await checkAccessibility('tenants in dunning')
  })

  it('marks the invoice paid out of band, waits for Stripe, and shows it paid after the webhook', async () => {
    await page.goto(server.baseUrl + tenantPath)
    await waitForText(page.locator('#billing'), 'Dunning · 5 days left')
    await page.locator('#billing').getByRole('link', { name: 'Billing →' }).click()
    await waitForPath(page, `${tenantPath}/billing`)
    expect(await heading()).toBe(`Billing of ${tenant.name}`)
    const invoice = page.locator(`#invoice-${billing.openInvoice.id}`)
    await waitForText(invoice.locator('.badge'), 'open')
    await checkAccessibility('tenant billing tab')

    const number = String(billing.openInvoice.number)
    await invoice.getByRole('button', { name: `Mark paid out of band ${number}` }).click()
    if (new URL(page.url()).pathname === '/step-up') {
      await waitForStepAfter(lastTotpStep)
      const { code, step } = totpCode(totpKey)
      await page.getByLabel('Code', { exact: true }).fill(code)
      await page.getByRole('button', { name: 'Confirm' }).click()
      lastTotpStep = step
      await waitForPath(page, `${tenantPath}/billing`)
      await invoice.getByRole('button', { name: `Mark paid out of band ${number}` }).click()
    }
    await waitForText(
      page.getByRole('status').first(),
      `Requested: mark ${number} paid out of band. Waiting for Stripe's webhook to confirm.`,
    )
    await waitForText(invoice, 'waiting for Stripe')
    await waitForText(invoice.locator('.badge'), 'open')
    expect(stripe.requests.at(-1)).toMatchObject({
      path: `/v1/invoices/${billing.openInvoice.id}/pay`,
      form: { paid_out_of_band: 'true' },
    })
    await checkAccessibility('tenant billing tab (waiting for Stripe)')

    await stripe.flush()
    await page.reload()
    await waitForText(invoice.locator('.badge'), 'paid')
    await waitForText(invoice, /UTC\s*out of band/)
    expect(await invoice.getByRole('button').count()).toBe(0)
    expect(await invoice.innerText()).not.toContain('waiting for Stripe')
    await waitForText(page.locator('#billing-summary'), 'Not in dunning')
  })

  it('shows every step of the story in the audit log', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click()
    await waitForPath(page, '/audit')
    expect(await heading()).toBe('Audit log')
    await checkAccessibility('audit log')
    const actions = (
      await page.locator('#audit-results tbody tr td:nth-child(3)').allInnerTexts()
    ).map((a) => a.trim())
    for (const action of [
      'super_admin.setup',
      'super_admin.enrol_totp',
      'auth.login',
      'auth.logout',
      'tenant.create',
      'tenant.suspend',
      'tenant.activate',
      'tenant.edit',
      'billing.invoice.mark_paid_requested',
    ]) {
      expect(actions, `audit action ${action}`).toContain(action)
    }
    const edit = page.locator('#audit-results tbody tr', { hasText: 'tenant.edit' }).first()
    expect(await edit.innerText()).toMatch(/free[\s\S]*professional/i)
  })

  it('deletes the tenant after its slug is typed, keeping the schema for the grace period', async () => {
    await page.goto(server.baseUrl + tenantPath)
    await page.getByLabel(`Type ${tenant.slug} to confirm`, { exact: true }).fill(tenant.slug)
    await page.getByRole('button', { name: 'Delete this tenant' }).click()
    await waitForPath(page, '/tenants')
    await waitForText(page.getByRole('status'), `Tenant ${tenant.slug} backed up and deleted`)
    expect(await page.locator('#tenant-table tbody tr', { hasText: tenant.slug }).count()).toBe(0)

    expect(await schemaExists()).toBe(true)
    await page.goto(server.baseUrl + tenantPath)
    await waitForText(page.locator('#tenant-header'), 'deleted')
    await waitForText(page.locator('#tenant-deleted'), 'deleted — purges in 14 days')
    await checkAccessibility('tenant page (deleted)')

    await page.goto(`${server.baseUrl}/audit?action=tenant.delete`)
    await waitForText(page.locator('#audit-results tbody'), 'tenant.delete')
  })

  it('restores the deleted tenant within the grace period: it comes back suspended, data kept', async () => {
    await page.goto(server.baseUrl + tenantPath)
    await page.getByRole('link', { name: `Restore ${tenant.slug}` }).click()
    await waitForPath(page, `${tenantPath}/restoration/new`)
    await checkAccessibility('restore a deleted tenant')
    await page.getByRole('button', { name: `Restore ${tenant.slug}` }).click()

    await waitForText(page.getByRole('status'), `Tenant ${tenant.slug} restored as suspended`)
    await waitForText(page.locator('#tenant-header'), 'suspended')
    expect(await page.locator('#tenant-deleted').count()).toBe(0)
    expect(await schemaExists()).toBe(true)
    await page.goto(`${server.baseUrl}/audit?action=tenant.undelete`)
    await waitForText(page.locator('#audit-results tbody'), 'tenant.undelete')
  })

  it('meets WCAG AA on the other console pages an owner opens', async () => {
    for (const [name, path, title] of [
      ['your account', '/account', 'Your account'],
      ['super admins', '/super-admins', 'Super admins'],
      ['security settings', '/settings/security', 'Security settings'],
      ['app keys', '/settings/app-keys', 'App keys'],
      ['not found', '/no-such-page', 'Not found'],
    ]) {
      await page.goto(server.baseUrl + path)
      expect(await heading()).toBe(title)
      await checkAccessibility(name)
    }
  })

  it('has no serious or critical accessibility violation on any page it visited', async () => {
    const counts = [...accessibility].map(([name, violations]) => ({
      page: name,
      critical: violations.filter((v) => v.impact === 'critical').length,
      serious: violations.filter((v) => v.impact === 'serious').length,
      moderate: violations.filter((v) => v.impact === 'moderate').length,
      minor: violations.filter((v) => v.impact === 'minor').length,
    }))
    writeFileSync(
      '/tmp/fleetdeck-axe.json',
      JSON.stringify({ backend, counts, violations: Object.fromEntries(accessibility) }, null, 2),
    )
    console.log(`axe-core (${backend}):\n` + counts.map((c) => JSON.stringify(c)).join('\n'))
    expect(accessibility.size).toBeGreaterThanOrEqual(18)
    const grave = graveViolations(accessibility)
    expect(grave).toEqual([])
  })

  it('leaves no browser console errors', async () => {
    await page.goto(server.baseUrl + '/tenants')
    await page.screenshot({ path: '/tmp/fleetdeck-tenants.png', fullPage: true })
    expect(consoleErrors).toEqual([])
  })
})
