// The dashboard in a real Chromium against the real server (issue 10 item 2): the operator signs
// in and lands on /, reads the tiles, follows one to the filtered list behind it, and picks one
// customer with the picker to see that customer's numbers. Tenants and users are made on the
// server's own database (PGlite shared on loopback, or PostgreSQL). axe-core checks every state.
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import type { Tenant } from '../src/db/tenants.js'
import { addMembership, createTenant, createUser } from '../src/test-support/factories.js'
import {
  setUpFirstOwner,
  totpCode,
  totpStep,
  useBrowserStory,
  waitForPath,
  waitForStepAfter,
  waitForText,
  type RunningServer,
} from './helpers.js'

const backend = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}

let acme: Tenant
let globex: Tenant
let totpKey: string

const tileValue = (id: string) => page.locator(`#tile-${id} [data-kpi-value]`)

let server: RunningServer
let handle: DatabaseHandle
let page: Page

describe(`the dashboard in Chromium (${backend})`, () => {
  const story = useBrowserStory()
  beforeAll(() => void ({ server, handle, page } = story))

  it('signs in and lands on the dashboard, with the fleet’s numbers in tiles', async () => {
    acme = await createTenant(handle.db, { slug: `acme-${suffix}`, name: `Acme Anvils ${suffix}` })
    globex = await createTenant(handle.db, { slug: `globex-${suffix}`, name: `Globex ${suffix}` })
    // Three more members of acme, one of them signed in yesterday.
    for (const lastLoginAt of [new Date(Date.now() - 86400_000), null, null])
      await addMembership(handle.db, await createUser(handle.db, { lastLoginAt }), acme)
    totpKey = await setUpFirstOwner(page, server.setupLink, owner)
    const enrolledStep = totpStep()

    await page.getByRole('button', { name: 'Sign out' }).click()
    await waitForPath(page, '/login')
    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Password', { exact: true }).fill(owner.password)
    await page.getByRole('button', { name: 'Continue' }).click()
    await waitForPath(page, '/login/totp')
    await waitForStepAfter(enrolledStep)
    await page.getByLabel('Code', { exact: true }).fill(totpCode(totpKey).code)
    await page.getByRole('button', { name: 'Sign in' }).click()

    await waitForPath(page, '/')
    expect((await page.locator('h1').innerText()).trim()).toBe('Dashboard')
    expect(await page.title()).toMatch(/^Dashboard/)
    await waitForText(tileValue('active-tenants'), '2')
    // Two first admins and three members.
    await waitForText(tileValue('users'), '5')
    await waitForText(tileValue('active-users'), '1')
    // Eleven fleet tiles and one saying no billing data has arrived from Stripe yet (issue 12).
    expect(await page.locator('#kpi-tiles > section').count()).toBe(12)
    await waitForText(tileValue('billing'), 'No billing data')
    await story.checkAccessibility('dashboard, all customers')
    await page.screenshot({ path: '/tmp/fleetdeck-dashboard.png', fullPage: true })
  })

  it('follows the Active tenants tile to the tenants list filtered to them', async () => {
    await page.getByRole('link', { name: 'Active tenants' }).click()
    await waitForPath(page, '/tenants')
    expect(new URL(page.url()).search).toBe('?status=active')
    const slugs = (await page.locator('#tenant-table tbody td:first-child a').allInnerTexts()).map(
      (s) => s.trim(),
    )
    expect(slugs.sort()).toEqual([acme.slug, globex.slug].sort())
    await story.checkAccessibility('tenants, active')
  })

  it('picks one customer and shows that customer’s numbers on the same page', async () => {
    await page.goto(`${server.baseUrl}/`)
    await page.getByRole('link', { name: 'Choose a customer' }).click()
    // The picker arrives by htmx; a search typed before htmx has wired its input sends nothing
    // (a person types slower than the driver), so the driver types again until it is answered.
    const search = page.getByLabel('Search customers (slug or name)')
    for (let attempt = 1; ; attempt++) {
      await search.fill('')
      await search.fill('anvils')
      const answered = await waitForText(
        page.locator('#scope-picker-count'),
        '1 customer matching “anvils”.',
        5_000,
      ).catch((error: Error) => error)
      if (typeof answered === 'string') break
      if (attempt === 3) throw answered
    }
    await page.getByRole('button', { name: `${acme.name} (${acme.slug})` }).click()

    await waitForText(page.locator('#scope-label'), `Scoped to ${acme.name} (${acme.slug})`)
    expect(new URL(page.url()).pathname).toBe('/')
    await waitForText(page.locator('#dashboard-scope'), `${acme.name} (${acme.slug})`)
    expect(await page.title()).toContain(acme.name)
    await waitForText(tileValue('status'), 'active')
    // acme's first admin and its three members.
    await waitForText(tileValue('users'), '4')
    await waitForText(tileValue('active-users'), '1')
    expect(await page.locator('#tile-active-tenants').count()).toBe(0)
    await story.checkAccessibility('dashboard, one customer')
    await page.screenshot({ path: '/tmp/fleetdeck-dashboard-customer.png', fullPage: true })

    // The members tile opens the users list, scoped to acme: its four members.
    await page.getByRole('link', { name: 'Members', exact: true }).click()
    await waitForPath(page, '/users')
    await waitForText(page.locator('#user-total'), '4 users')
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    story.expectAccessibleAndQuiet(3)
  })
})
