// The people story (issue 7), in a real Chromium against the real server: an owner sets up,
// creates two tenants (each with its first admin), finds a user by typing part of the email,
// opens them with the keyboard, adds them to the other tenant and changes that role with the
// keyboard only (the row is swapped, focus stays on the role), sees the last owner refused in
// place, and finds the same member on the tenant page. axe-core checks each new page.
import { randomBytes } from 'node:crypto'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  openPage,
  openServerDatabase,
  setUpFirstOwner,
  CHROMIUM_ARGS,
  createTestDatabase,
  runAxe,
  startServer,
  waitForPath,
  waitForText,
  type AxeViolation,
  type RunningServer,
  graveViolations,
} from './helpers.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `people-owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const acme = { slug: `acme-${suffix}`, admin: `alice-${suffix}@acme.example` }
const globex = { slug: `globex-${suffix}`, admin: `gus-${suffix}@globex.example` }

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let browser: Browser
let page: Page
const consoleErrors: string[] = []
const accessibility = new Map<string, AxeViolation[]>()

async function checkAccessibility(name: string) {
  accessibility.set(name, await runAxe(page))
}

async function createTenant(slug: string, adminEmail: string) {
  await page.goto(server.baseUrl + '/tenants/new')
  await page.getByLabel('Slug', { exact: true }).fill(slug)
  await page.getByLabel('Name', { exact: true }).fill(`Org ${slug}`)
  await page.getByLabel('Plan', { exact: true }).selectOption('free')
  await page.getByLabel('Billing email', { exact: true }).fill(`billing@${slug}.example`)
  await page.getByLabel("First admin's email", { exact: true }).fill(adminEmail)
  await page.getByLabel("First admin's name", { exact: true }).fill(`Admin ${slug}`)
  await page.getByRole('button', { name: 'Create tenant' }).click()
  await waitForPath(page, /^\/tenants\/[0-9a-f-]{36}$/, 60_000)
  await waitForText(page.getByRole('status'), `Tenant ${slug} is ready.`)
}

describe(`people story in Chromium (${serverUrl ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({ databaseUrl: database?.url })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    page.on('console', (message) => {
      if (message.type() !== 'error') return
      // A refused change answers 422 by design, and is asserted where it happens.
      if (/status of 422\b/.test(message.text())) return
      consoleErrors.push(`${page.url()}: ${message.text()}`)
    })
    page.on('dialog', (dialog) => void dialog.accept())
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`))
  })

  afterAll(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
  })

  it('sets up the owner and two tenants, each with its first admin', async () => {
    await setUpFirstOwner(page, server.setupLink, owner)

    await createTenant(acme.slug, acme.admin)
    await createTenant(globex.slug, globex.admin)
  })

  it('finds a user as you type and opens them with the keyboard', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click()
    await waitForPath(page, '/users')
    await checkAccessibility('users directory')
    await page.evaluate(() => ((window as any).__marker = 'same-document'))

    await page.locator('h1').click()
    await page.keyboard.press('/')
    const search = page.getByLabel('Search email or name', { exact: true })
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true)
    await search.pressSequentially(`GUS-${suffix}`, { delay: 10 })
    await waitForText(page.locator('#user-total'), `1 user matching`)
    const row = page.locator('#user-table tbody tr', { hasText: globex.admin })
    await waitForText(row, `${globex.slug} (owner)`)
    expect(await page.evaluate(() => (window as any).__marker)).toBe('same-document')
    expect(new URL(page.url()).searchParams.get('q')).toBe(`GUS-${suffix}`)
    await checkAccessibility('users directory (search results)')

    await page.keyboard.press('Escape')
    await page.keyboard.press('j')
    expect(await row.evaluate((el) => el === document.activeElement)).toBe(true)
    await page.keyboard.press('Enter')
    await waitForPath(page, /^\/users\/[0-9a-f-]{36}$/)
    expect((await page.locator('h1').innerText()).trim()).toBe(globex.admin)
    await checkAccessibility('user page')
  })

  it('adds the user to another tenant and changes that role with the keyboard; the row is swapped', async () => {
    await page.getByLabel('Add to tenant (slug)', { exact: true }).fill(acme.slug)
    await page.getByLabel('Role', { exact: true }).selectOption('member')
    await page.getByRole('button', { name: 'Add membership' }).click()
    await waitForText(page.getByRole('status'), `${globex.admin} added to ${acme.slug} as member.`)

    const select = page.getByLabel(`Role of ${globex.admin} in ${acme.slug}`, { exact: true })
    await select.focus()
    // owner, admin, member: one step up from member is admin.
    await page.keyboard.press('ArrowUp')
    expect(await select.inputValue()).toBe('admin')
    await page.keyboard.press('Tab')
    const save = page.getByRole('button', {
      name: `Save the role of ${globex.admin} in ${acme.slug}`,
    })
    expect(await save.evaluate((el) => el === document.activeElement)).toBe(true)
    await page.keyboard.press('Enter')

    await waitForText(page.locator('#live-region'), `${globex.admin} is now admin of ${acme.slug}.`)
    const row = page.locator('#memberships tbody tr', { hasText: acme.slug })
    await waitForText(row, 'Role saved.')
    await page.waitForFunction(
      () => (document.activeElement as HTMLSelectElement | null)?.name === 'role',
    )
    expect(await select.inputValue()).toBe('admin')
    await checkAccessibility('user page (role changed)')
  })

  it('refuses to demote the last owner, in the row, and changes nothing', async () => {
    const select = page.getByLabel(`Role of ${globex.admin} in ${globex.slug}`, { exact: true })
    await select.selectOption('member')
    await page
      .getByRole('button', { name: `Save the role of ${globex.admin} in ${globex.slug}` })
      .click()
    const message = `${globex.admin} is the last owner of ${globex.slug}: make another member an owner first.`
    const row = page.locator('#memberships tbody tr', { hasText: globex.slug })
    await waitForText(row.getByRole('alert'), message)
    await page.reload()
    expect(await select.inputValue()).toBe('owner')
    await checkAccessibility('user page (refusal)')
  })

  it('the tenant page lists the member with the same row, searchable', async () => {
    await page.goto(`${server.baseUrl}/tenants?q=${acme.slug}`)
    await page.getByRole('link', { name: acme.slug }).click()
    await waitForPath(page, /^\/tenants\/[0-9a-f-]{36}$/)
    const search = page.getByLabel('Search members by email or name', { exact: true })
    await search.pressSequentially(`gus-${suffix}`, { delay: 10 })
    await page.locator('#tenant-members tbody tr').first().waitFor()
    await page.waitForFunction(
      () => document.querySelectorAll('#tenant-members tbody tr').length === 1,
    )
    const select = page.getByLabel(`Role of ${globex.admin} in ${acme.slug}`, { exact: true })
    expect(await select.inputValue()).toBe('admin')
    await checkAccessibility('tenant page (member search)')
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    const grave = graveViolations(accessibility)
    expect(accessibility.size).toBeGreaterThanOrEqual(6)
    expect(grave).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
