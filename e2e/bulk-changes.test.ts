// Bulk changes in a real Chromium against the real server (issue 9 item 4): the owner filters
// the tenants list to the active Free tenants created before June, previews a move to
// Professional, applies it as one batch, sees the batch page, and rolls it back. Tenants are
// made through the console's own onboarding on the server's database (PGlite shared on
// loopback, or PostgreSQL), backdated by their creation time. axe-core checks every page.
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import { createTenant } from '../src/test-support/factories.js'
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
const marker = `bulk${suffix}`
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
let chosen: string[] = []
let others: string[] = []
let batchPath = ''
const consoleErrors: string[] = []
const accessibility = new Map<string, AxeViolation[]>()

async function checkAccessibility(name: string): Promise<void> {
  accessibility.set(name, await runAxe(page))
}

async function plansOf(ids: string[]): Promise<string[]> {
  const rows = await handle.db
    .selectFrom('tenants')
    .select(['id', 'plan_id'])
    .where('id', 'in', ids)
    .execute()
  return ids.map((id) => rows.find((r) => r.id === id)!.plan_id)
}

describe(`bulk changes in Chromium (${backend})`, () => {
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

  it('sets up the first owner; three Free tenants before June, one after, one Professional', async () => {
    await setUpFirstOwner(page, server.setupLink, owner)
    const may = new Date('2026-05-15T10:00:00Z')
    for (let i = 0; i < 3; i++)
      chosen.push((await createTenant(handle.db, { name: `${marker} early ${i}`, now: may })).id)
    others = [
      (
        await createTenant(handle.db, {
          name: `${marker} late`,
          now: new Date('2026-07-01T10:00:00Z'),
        })
      ).id,
      (await createTenant(handle.db, { name: `${marker} pro`, planId: 'professional', now: may }))
        .id,
    ]
    expect(await plansOf(chosen)).toEqual(['free', 'free', 'free'])
  })

  it('filters the list to active Free tenants created before June and chooses Change…', async () => {
    await page.goto(`${server.baseUrl}/tenants`)
    await page.getByLabel('Search slug or name', { exact: true }).fill(marker)
    await page.getByLabel('Status', { exact: true }).selectOption('active')
    await page.getByLabel('Plan', { exact: true }).selectOption('free')
    await page.getByLabel('Created to', { exact: true }).fill('2026-05-31')
    await page.getByRole('button', { name: 'Filter' }).click()
    await waitForText(page.locator('#tenant-table'), '3 tenants matching')
    await page.waitForFunction(() => location.search.includes('to=2026-05-31'))
    await checkAccessibility('tenants filtered')

    await page
      .getByLabel('Change the 3 listed tenants', { exact: true })
      .selectOption('plan_change')
    await page.getByRole('button', { name: 'Change…' }).click()
    await waitForPath(page, '/batches/new')
    await checkAccessibility('bulk change: choose')
  })

  it('previews the move to Professional: three tenants, Free → Professional each', async () => {
    await page.getByLabel('New plan', { exact: true }).selectOption('professional')
    await page.getByRole('button', { name: 'Preview' }).click()
    await waitForText(page.locator('#batch-preview'), 'Preview: 3 tenants match')
    const words = await page.locator('#filter-words').innerText()
    expect(words).toContain('active tenants')
    expect(words).toContain('on Free')
    expect(words).toContain('created on or before 2026-05-31')
    for (const id of chosen)
      expect(await page.locator(`#preview-${id}`).innerText()).toContain('Free → Professional')
    await checkAccessibility('bulk change: preview')
    await page.screenshot({ path: '/tmp/fleetdeck-bulk-preview.png', fullPage: true })
  })

  it('applies it as one batch and shows the result per tenant', async () => {
    await page.getByRole('button', { name: 'Apply to 3 tenants' }).click()
    await waitForPath(page, /^\/batches\/[0-9a-f-]{36}$/)
    batchPath = new URL(page.url()).pathname
    await waitForText(page.locator('#batch-outcomes'), '3 changed')
    await waitForText(
      page.locator('[role="status"], [role="alert"], body').first(),
      'Bulk change applied.',
    )
    expect(await plansOf(chosen)).toEqual(['professional', 'professional', 'professional'])
    expect(await plansOf(others)).toEqual(['free', 'professional'])
    await checkAccessibility('batch page (applied)')

    await page.getByRole('link', { name: 'Entries of this batch' }).click()
    await waitForPath(page, '/audit')
    await waitForText(page.locator('#audit-results'), 'batch.apply')
    await checkAccessibility('audit log filtered by batch')
  })

  it('rolls the batch back: every tenant is on Free again', async () => {
    await page.goto(`${server.baseUrl}${batchPath}`)
    await page.getByRole('button', { name: 'Roll back this batch' }).click()
    await waitForPath(page, batchPath)
    await waitForText(page.locator('body'), 'Bulk change rolled back')
    await waitForText(page.locator('#batch-outcomes'), '3 restored by the rollback')
    expect(await plansOf(chosen)).toEqual(['free', 'free', 'free'])
    await checkAccessibility('batch page (rolled back)')

    await page.goto(`${server.baseUrl}/batches`)
    await waitForText(page.locator('#batches'), 'rolled back')
    await checkAccessibility('bulk changes list')
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    const grave = graveViolations(accessibility)
    console.log(
      `axe-core (${backend}): ` +
        JSON.stringify([...accessibility].map(([name, v]) => [name, v.map((x) => x.id)])),
    )
    expect(accessibility.size).toBe(7)
    expect(grave).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
