// Feature flags in a real Chromium against the real server (issue 9 item 3): the first owner
// creates `drawings-beta` through the form, rolls it out to 10 % of Professional tenants, turns
// it on for one tenant from the tenant page (htmx swaps the section), and reads the flag page's
// resolved table: that tenant on by override. Every state is checked in the server's database
// too; axe-core checks every page visited (no serious or critical violation).
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import { findFlagByKey, findTenantOverrides } from '../src/db/flags.js'
import { rolloutBucket } from '../src/flags/resolve.js'
import {
  createTestDatabase,
  openPage,
  openServerDatabase,
  runAxe,
  setUpFirstOwner,
  startServer,
  waitForPath,
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
const tenant = { slug: `acme-${suffix}`, name: `Acme ${suffix}` }
// Chosen once the tenant exists (below): a key whose 10 % rollout leaves this tenant out, so the
// tenant starts Off and "Turn on" is there to press (the tenant's id is random; with a fixed key
// one run in ten found it already On through the rollout).
let FLAG = 'drawings-beta'

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let handle: DatabaseHandle
let browser: Browser
let page: Page
let tenantId = ''
const consoleErrors: string[] = []
const accessibility = new Map<string, AxeViolation[]>()

async function checkAccessibility(name: string): Promise<void> {
  accessibility.set(name, await runAxe(page))
}

describe(`feature flags in Chromium (${backend})`, () => {
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

  it('sets up the first owner and creates a Professional tenant', async () => {
    await setUpFirstOwner(page, server.setupLink, owner)
    await page.getByRole('link', { name: 'New tenant' }).click()
    await page.getByLabel('Slug', { exact: true }).fill(tenant.slug)
    await page.getByLabel('Name', { exact: true }).fill(tenant.name)
    await page.getByLabel('Plan', { exact: true }).selectOption('professional')
    await page.getByLabel('Billing email', { exact: true }).fill(`billing-${suffix}@example.org`)
    await page.getByLabel("First admin's email", { exact: true }).fill(`ada-${suffix}@example.org`)
    await page.getByLabel("First admin's name", { exact: true }).fill('Ada Acme')
    await page.getByRole('button', { name: 'Create tenant' }).click()
    await waitForPath(page, /^\/tenants\/[0-9a-f-]{36}$/, 60_000)
    tenantId = new URL(page.url()).pathname.split('/').pop()!
    for (let n = 2; rolloutBucket(FLAG, tenantId) < 10 * 100; n++) FLAG = `drawings-beta-${n}`
  })

  it('creates drawings-beta through the form, after a refused key', async () => {
    await page.getByRole('link', { name: 'Feature flags' }).click()
    await waitForPath(page, '/flags')
    await checkAccessibility('flags (empty)')
    await page.getByRole('link', { name: 'New flag' }).click()
    await waitForPath(page, '/flags/new')
    await checkAccessibility('new flag')
    await page.getByLabel('Key', { exact: true }).fill('Drawings Beta')
    await page.getByLabel('Default', { exact: true }).fill('off')
    await page.getByRole('button', { name: 'Create flag' }).click()
    await waitForText(page.locator('#field-key-error'), 'Use 2–63 lowercase letters')
    await checkAccessibility('new flag (refused key)')
    expect(await findFlagByKey(handle.db, FLAG)).toBeUndefined()

    await page.getByLabel('Key', { exact: true }).fill(FLAG)
    await page
      .getByLabel('Description', { exact: true })
      .fill('The Drawings page, for early customers')
    await page.getByLabel('Type', { exact: true }).selectOption('boolean')
    await page.getByLabel('Default', { exact: true }).fill('off')
    await page.getByRole('button', { name: 'Create flag' }).click()
    await waitForPath(page, `/flags/${FLAG}`)
    await waitForText(page.locator('main'), `Flag ${FLAG} created.`)
    expect(await findFlagByKey(handle.db, FLAG)).toMatchObject({
      type: 'boolean',
      defaultValue: false,
    })
    await checkAccessibility('flag page')
  })

  it('rolls it out to 10 % of Professional tenants', async () => {
    await page.getByLabel('Rollout percentage', { exact: true }).fill('10')
    await page.getByLabel('Professional', { exact: true }).check()
    await page.getByLabel('Rollout value', { exact: true }).selectOption('on')
    await page.getByRole('button', { name: 'Save rollout' }).click()
    await waitForText(
      page.locator('main'),
      `Rollout of ${FLAG} saved: 10 % of Professional get On.`,
    )
    expect(await findFlagByKey(handle.db, FLAG)).toMatchObject({
      rolloutPercentage: 10,
      rolloutPlanIds: ['professional'],
      rolloutValue: true,
    })
  })

  it('turns it on for the tenant from the tenant page, in place', async () => {
    await page.goto(`${server.baseUrl}/tenants/${tenantId}`)
    const row = page.locator(`#tenant-flag-row-${FLAG}`)
    await checkAccessibility('tenant page with flags')
    await page.evaluate(() => ((window as any).__marker = 'same-document'))
    await row.getByRole('button', { name: `Turn on ${FLAG}`, exact: true }).click()
    await waitForText(
      page.locator('#live-region'),
      `${FLAG} is now On for ${tenant.slug} (override).`,
    )
    await waitForText(row, 'Override for this tenant')
    expect(await page.evaluate(() => (window as any).__marker)).toBe('same-document')
    const flag = (await findFlagByKey(handle.db, FLAG))!
    expect((await findTenantOverrides(handle.db, tenantId)).get(flag.id)).toBe(true)
    await checkAccessibility('tenant page after the toggle')
    await page.screenshot({ path: '/tmp/fleetdeck-tenant-flags.png', fullPage: true })
  })

  it('shows the tenant on by override in the flag page’s resolved table', async () => {
    await page.goto(`${server.baseUrl}/flags/${FLAG}`)
    const resolvedRow = page.locator(`#flag-tenant-${tenantId}`)
    await waitForText(resolvedRow, 'Override for this tenant')
    expect(await resolvedRow.innerText()).toContain('On')
    await page.getByLabel('Why', { exact: true }).selectOption('override')
    await waitForText(page.locator('#flag-tenants'), '1 tenant')
    await waitForText(page.locator('#overrides'), tenant.slug)
    await checkAccessibility('flag page (filtered by why)')
    await page.screenshot({ path: '/tmp/fleetdeck-flag-page.png', fullPage: true })
    await page.goto(`${server.baseUrl}/flags`)
    await waitForText(page.locator(`#flag-${FLAG}`), '10 % of Professional → On')
    await checkAccessibility('flags list')
  })

  it('breaks no serious accessibility rule and logs no console error', () => {
    const serious = graveViolations(accessibility)
    expect(serious).toEqual([])
    // The refused key is a 422 by design; Chromium logs it.
    expect(consoleErrors.filter((e) => !/status of 422\b/.test(e))).toEqual([])
  })
})
