// System health in a real Chromium against the real server (issue 10 items 3 and 7): the first
// owner opens /system, waits for one 10-second poll and sees the sample's time change (only the
// panel is swapped), reaches the links with the keyboard, tightens the memory threshold on
// /settings/thresholds and sees the metric turn critical on /system. The server's own scheduler
// stores the samples. axe-core checks every page visited.
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import { useBrowserStory, waitForPath, waitForText, type RunningServer } from './helpers.js'

const backend = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const GRAFANA = 'https://grafana.example/d/fleetdeck'

let server: RunningServer
let handle: DatabaseHandle
let page: Page

describe(`system health in Chromium (${backend})`, () => {
  const story = useBrowserStory({ env: { GRAFANA_URL: GRAFANA }, owner })
  beforeAll(() => void ({ server, handle, page } = story))

  it('opens /system and sees a new sample arrive with the next poll, only the panel swapped', async () => {
    await page.getByRole('link', { name: 'System health' }).click()
    await waitForPath(page, '/system')
    await waitForText(page.locator('#group-host'), 'Memory in use')
    const first = (await page.locator('#sampled-at time').getAttribute('datetime'))!
    expect(await page.locator('#health-status').innerText()).toMatch(
      /^(All healthy|\d+ warnings?(, \d+ critical)?|\d+ critical)$/,
    )
    await story.checkAccessibility('system')
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
    await story.checkAccessibility('system after a poll')
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
    await story.checkAccessibility('thresholds')
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
    await story.checkAccessibility('system with a critical metric')
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    story.expectAccessibleAndQuiet(4)
  })
})
