// System health in a real Chromium against the real server (issue 10 items 3 and 7): the first
// owner opens /system, waits for one 10-second poll and sees the sample's time change (only the
// panel is swapped), reaches the links with the keyboard, tightens the memory threshold on
// /settings/thresholds and sees the metric turn critical on /system. The server's own scheduler
// stores the samples. axe-core checks every page visited.
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import {
  createTestDatabase,
  graveViolations,
  openPage,
  openServerDatabase,
  runAxe,
  setUpFirstOwner,
  startServer,
  waitForPath,
  waitForText,
  type AxeViolation,
  type RunningServer,
} from './helpers.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
const backend = serverUrl ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const GRAFANA = 'https://grafana.example/d/fleetdeck'

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let handle: DatabaseHandle
let browser: Browser
let page: Page
const consoleErrors: string[] = []
const accessibility = new Map<string, AxeViolation[]>()

describe(`system health in Chromium (${backend})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({ databaseUrl: database?.url, env: { GRAFANA_URL: GRAFANA } })
    handle = await openServerDatabase(server, database)
    ;({ browser, page } = await openPage(consoleErrors))
    await setUpFirstOwner(page, server.setupLink, owner)
  })

  afterAll(async () => {
    await handle?.close()
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
  })

  it('opens /system and sees a new sample arrive with the next poll, only the panel swapped', async () => {
    await page.getByRole('link', { name: 'System health' }).click()
    await waitForPath(page, '/system')
    await waitForText(page.locator('#group-host'), 'Memory in use')
    const first = (await page.locator('#sampled-at time').getAttribute('datetime'))!
    expect(await page.locator('#health-status').innerText()).toMatch(
      /^(All healthy|\d+ warnings?(, \d+ critical)?|\d+ critical)$/,
    )
    accessibility.set('system', await runAxe(page))
    await page.screenshot({ path: '/tmp/fleetdeck-system.png', fullPage: true, caret: 'initial' })
    // Something to find afterwards: an element outside the panel that a whole-page swap loses.
    await page.evaluate(() => document.querySelector('h1')!.setAttribute('data-kept', 'yes'))

    const deadline = Date.now() + 30_000
    let next = first
    while (next === first && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      next = (await page.locator('#sampled-at time').getAttribute('datetime')) ?? first
    }

    expect(new Date(next).getTime()).toBeGreaterThan(new Date(first).getTime())
    expect(await page.locator('h1').getAttribute('data-kept')).toBe('yes')
    expect(await page.locator('#health-status').count()).toBe(1)
    const stored = await handle.db.selectFrom('health_samples').select('id').execute()
    expect(stored.length).toBeGreaterThanOrEqual(1)
    accessibility.set('system after a poll', await runAxe(page))
  })

  it('reaches Grafana and the thresholds with the keyboard', async () => {
    const reached: string[] = []
    // From the top of the page, as a keyboard user arrives: past the sidebar to the page's links.
    await page.goto(`${server.baseUrl}/system`)
    for (let i = 0; i < 60 && reached.at(-1) !== 'Edit thresholds'; i++) {
      await page.keyboard.press('Tab')
      reached.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''))
    }
    expect(reached).toContain('Open in Grafana')
    expect(await page.evaluate(() => (document.activeElement as HTMLAnchorElement).href)).toMatch(
      /\/settings\/thresholds$/,
    )
    await page.keyboard.press('Enter')
    await waitForPath(page, '/settings/thresholds')
  })

  it('tightens the memory threshold in settings and sees memory turn critical on /system', async () => {
    await waitForText(page.locator('#threshold-memory'), 'Host memory')
    accessibility.set('thresholds', await runAxe(page))
    await page.screenshot({
      path: '/tmp/fleetdeck-thresholds.png',
      fullPage: true,
      caret: 'initial',
    })
    await page.getByLabel('Host memory: warning (%)').fill('0')
    await page.getByLabel('Host memory: critical (%)').fill('0.5')
    await page.getByRole('button', { name: 'Save thresholds' }).click()
    await waitForText(page.locator('[role="status"]'), 'Health thresholds saved.')
    const row = await handle.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'health_thresholds')
      .executeTakeFirstOrThrow()
    expect(row.value).toEqual({ memory: { warning: 0, critical: 0.5 } })

    await page.goto(`${server.baseUrl}/system`)
    const memory = page.locator('#metric-host-memory-percent')
    await waitForText(memory, 'Critical')
    expect(await memory.innerText()).toContain('critical above 0.5 %')
    expect(await page.locator('#health-status').innerText()).toMatch(/critical/)
    accessibility.set('system with a critical metric', await runAxe(page))
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    console.log(
      `axe-core (${backend}): ` +
        JSON.stringify([...accessibility].map(([name, v]) => [name, v.map((x) => x.id)])),
    )
    expect(accessibility.size).toBe(4)
    expect(graveViolations(accessibility)).toEqual([])
    expect(consoleErrors).toEqual([])
  })
})
