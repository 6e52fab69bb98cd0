// Join requests in a real Chromium against the real server (issue 7 items 3 and 9): the first
// owner sets up, creates a tenant, and decides the requests people filed for it — one from its
// row with a role, two at once, one denied with a reason — then lists an auto-join domain.
// Requests are filed the way the demo fleet (and later the kit API) files them: through
// submitJoinRequest on the server's own database (PGlite shared on loopback, or PostgreSQL).
// axe-core checks every page visited: no serious or critical violation.
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import { submitJoinRequest } from '../src/people/join-requests.js'
import {
  openPage,
  openServerDatabase,
  setUpFirstOwner,
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
const backend = serverUrl ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const tenant = { slug: `join-${suffix}`, name: `Juniper Freight ${suffix}` }
const joiners = ['ann', 'ben', 'cat', 'dan'].map((n) => `${n}-${suffix}@example.org`)

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

/** The requester's row on /join-requests. */
const rowOf = (email: string) => page.locator('#join-requests tbody tr', { hasText: email })

async function membershipRole(email: string): Promise<string | undefined> {
  const row = await handle.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('memberships.role')
    .where('users.email', '=', email)
    .where('memberships.tenant_id', '=', tenantId)
    .executeTakeFirst()
  return row?.role
}

describe(`join requests in Chromium (${backend})`, () => {
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

  it('sets up the first owner and creates a tenant', async () => {
    await setUpFirstOwner(page, server.setupLink, owner)

    await page.getByRole('link', { name: 'New tenant' }).click()
    await page.getByLabel('Slug', { exact: true }).fill(tenant.slug)
    await page.getByLabel('Name', { exact: true }).fill(tenant.name)
    await page.getByLabel('Plan', { exact: true }).selectOption('free')
    await page.getByLabel('Billing email', { exact: true }).fill(`billing-${suffix}@example.org`)
    await page.getByLabel("First admin's email", { exact: true }).fill(`ada-${suffix}@example.org`)
    await page.getByLabel("First admin's name", { exact: true }).fill('Ada Juniper')
    await page.getByRole('button', { name: 'Create tenant' }).click()
    await waitForPath(page, /^\/tenants\/[0-9a-f-]{36}$/, 60_000)
    tenantId = new URL(page.url()).pathname.split('/').pop()!

    for (const email of joiners) {
      const filed = await submitJoinRequest(
        handle.db,
        { actor: null, requestId: 'e2e' },
        { email, name: `Joiner ${email.slice(0, 3)}`, tenantId, message: 'I work here.' },
      )
      expect(filed.ok).toBe(true)
    }
  })

  it('approves a join request from its row with a role, in place, and says so', async () => {
    await page.getByRole('link', { name: 'Join requests' }).click()
    await waitForPath(page, '/join-requests')
    expect((await page.locator('h1').innerText()).trim()).toBe('Join requests')
    await checkAccessibility('join requests')
    await page.screenshot({
      path: '/tmp/fleetdeck-join-requests-pending.png',
      fullPage: true,
      caret: 'initial',
    })
    await page.evaluate(() => ((window as any).__marker = 'same-document'))

    const [ann] = joiners
    await page.getByLabel(`Role for ${ann}`, { exact: true }).selectOption('admin')
    await page.getByRole('button', { name: `Approve ${ann}`, exact: true }).click()
    await waitForText(page.locator('#live-region'), '1 request approved as admin.')
    await waitForText(rowOf(ann), 'approved')
    // Focus stays with the list that replaced the button, not at the top of the page.
    await page.waitForFunction(() => document.activeElement?.id === 'join-requests')
    expect(await page.evaluate(() => (window as any).__marker)).toBe('same-document')
    expect(await membershipRole(ann)).toBe('admin')
    await checkAccessibility('join requests (after an approval)')
  })

  it('approves two selected requests at once, and denies one with a reason', async () => {
    const [, ben, cat, dan] = joiners
    await page.getByLabel(`Select the request of ${ben}`, { exact: true }).check()
    await page.getByLabel(`Select the request of ${cat}`, { exact: true }).check()
    await page.getByRole('button', { name: 'Approve selected' }).click()
    await waitForText(page.locator('#live-region'), '2 requests approved as member.')
    expect([await membershipRole(ben), await membershipRole(cat)]).toEqual(['member', 'member'])

    // A denial without a reason is refused next to the field.
    const row = rowOf(dan)
    await row.locator('summary', { hasText: 'Deny' }).click()
    await row.getByRole('button', { name: 'Deny request' }).click()
    await waitForText(page.locator(`#join-requests`), 'Give a reason for the denial.')
    await checkAccessibility('join requests (denial without a reason)')
    await rowOf(dan).getByLabel(`Reason for denying ${dan}`).fill('Not an employee.')
    await rowOf(dan).getByRole('button', { name: 'Deny request' }).click()
    await waitForText(page.locator('#live-region'), '1 request denied.')
    await waitForText(rowOf(dan), 'Not an employee.')
    expect(await membershipRole(dan)).toBeUndefined()
    await page.screenshot({
      path: '/tmp/fleetdeck-join-requests.png',
      fullPage: true,
      caret: 'initial',
    })
  })

  it('lists an auto-join domain on the tenant page', async () => {
    await page.goto(`${server.baseUrl}/tenants/${tenantId}`)
    await page.getByLabel('Domain', { exact: true }).fill('Juniper.Example')
    await page.getByRole('button', { name: 'Add domain' }).click()
    await waitForText(page.locator('#live-region'), `Auto-join domain juniper.example added`)
    await waitForText(page.locator('#auto-join-domains'), 'juniper.example')
    await checkAccessibility('tenant page with an auto-join domain')
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    const grave = graveViolations(accessibility)
    console.log(
      `axe-core (${backend}): ` +
        JSON.stringify([...accessibility].map(([name, v]) => [name, v.map((x) => x.id)])),
    )
    expect(accessibility.size).toBe(4)
    expect(grave).toEqual([])
    // The refused denial is a 422 by design; Chromium logs it.
    expect(consoleErrors.filter((e) => !/status of 422\b/.test(e))).toEqual([])
  })
})
