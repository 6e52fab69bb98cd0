// Plans and licences in a real Chromium against the real server (issue 9 items 1 and 2): the
// first owner tightens Free's member quota on /plans, seeing its impact on tenants as they type
// before saving; archives Enterprise; opens /licences and moves the tenant that is over its
// quota to Professional with one click. Tenants and members are made on the server's own
// database (PGlite shared on loopback, or PostgreSQL). axe-core checks every page visited.
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import type { Tenant } from '../src/db/tenants.js'
import { addMembership, createTenant, createUser } from '../src/test-support/factories.js'
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

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let handle: DatabaseHandle
let browser: Browser
let page: Page
let crowded: Tenant
let roomy: Tenant
const consoleErrors: string[] = []
const accessibility = new Map<string, AxeViolation[]>()

async function checkAccessibility(name: string): Promise<void> {
  accessibility.set(name, await runAxe(page))
}

/** A Free tenant with `members` memberships, its owner included. */
async function freeTenantWith(members: number): Promise<Tenant> {
  const tenant = await createTenant(handle.db, { planId: 'free' })
  for (let k = 1; k < members; k++)
    await addMembership(handle.db, await createUser(handle.db), tenant)
  return tenant
}

async function planOf(tenantId: string) {
  const row = await handle.db
    .selectFrom('tenants')
    .select(['plan_id', 'plan_changed_at'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow()
  return row
}

describe(`plans and licences in Chromium (${backend})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({ databaseUrl: database?.url })
    handle = await openServerDatabase(server, database)
    ;({ browser, page } = await openPage(consoleErrors))
    await setUpFirstOwner(page, server.setupLink, owner)
    crowded = await freeTenantWith(4)
    roomy = await freeTenantWith(2)
  })

  afterAll(async () => {
    await handle?.close()
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
  })

  it('tightens a quota on /plans, seeing the impact on tenants before saving', async () => {
    await page.getByRole('link', { name: 'Plans' }).click()
    await waitForPath(page, '/plans')
    await waitForText(page.locator('#plan-free'), 'Free')
    await checkAccessibility('plans')

    await page.locator('#plan-free').getByRole('link', { name: 'Free', exact: true }).click()
    await waitForPath(page, '/plans/free')
    await page.getByLabel('Members', { exact: true }).fill('3')
    const impact = await waitForText(
      page.locator('#impact-maxMembers'),
      'Members: 5 → 3 — tightens it for 2 tenants; 1 already over 3.',
    )
    expect(impact).toContain('1 already over 3')
    await checkAccessibility('plan edit with impact')
    await page.screenshot({
      path: '/tmp/fleetdeck-plan-impact.png',
      fullPage: true,
      caret: 'initial',
    })
    expect(
      (
        await handle.db
          .selectFrom('plans')
          .select('max_members')
          .where('id', '=', 'free')
          .executeTakeFirstOrThrow()
      ).max_members,
    ).toBe(5)

    await page.getByRole('button', { name: 'Save plan' }).click()
    await waitForPath(page, '/plans')
    await waitForText(page.locator('[role="status"]'), 'Plan Free saved.')
    const free = await handle.db
      .selectFrom('plans')
      .select('max_members')
      .where('id', '=', 'free')
      .executeTakeFirstOrThrow()
    expect(free.max_members).toBe(3)
    const audit = await handle.db
      .selectFrom('audit_log')
      .select(['before', 'after'])
      .where('action', '=', 'plan.edit')
      .execute()
    expect(audit).toEqual([{ before: { maxMembers: 5 }, after: { maxMembers: 3 } }])
  })

  it('archives a plan, which is then no longer offered', async () => {
    await page.goto(`${server.baseUrl}/plans/enterprise`)
    await page.getByRole('button', { name: 'Archive plan' }).click()
    await waitForText(page.locator('[role="status"]'), 'Plan Enterprise archived')
    await checkAccessibility('archived plan')
    const row = await handle.db
      .selectFrom('plans')
      .select('archived_at')
      .where('id', '=', 'enterprise')
      .executeTakeFirstOrThrow()
    expect(row.archived_at).not.toBeNull()
  })

  it('opens /licences and moves the tenant over its quota to another plan with one click', async () => {
    await page.getByRole('link', { name: 'Licences' }).click()
    await waitForPath(page, '/licences')
    await waitForText(page.locator('#distribution-table'), 'Free')
    expect(await page.locator('svg[role="img"] title').textContent()).toBe(
      'Tenants by plan and status',
    )
    await waitForText(page.locator('#over-quota-title'), 'Over a quota (1)')
    const row = page.locator(`#over-table-${crowded.slug}`)
    await waitForText(row, '4 / 3 (133 %) over')
    const options = await row
      .getByLabel(`New plan for ${crowded.slug}`)
      .locator('option')
      .allTextContents()
    expect(options).toEqual(['Professional'])
    await checkAccessibility('licences')
    await page.screenshot({ path: '/tmp/fleetdeck-licences.png', fullPage: true, caret: 'initial' })

    await row.getByRole('button', { name: `Change plan of ${crowded.slug}` }).click()
    await waitForPath(page, '/licences')
    await waitForText(page.locator('[role="status"]'), `${crowded.slug} moved to Professional.`)
    await waitForText(page.locator('#over-quota-title'), 'Over a quota (0)')
    const after = await planOf(crowded.id)
    expect(after.plan_id).toBe('professional')
    expect(after.plan_changed_at).not.toBeNull()
    expect((await planOf(roomy.id)).plan_id).toBe('free')
    await checkAccessibility('licences after a plan change')
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
