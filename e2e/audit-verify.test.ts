// Audit chain verification in a real Chromium against the real server (issue 14 item 5): the
// first owner opens /audit/verify, reads the OK verdict, signs a checkpoint with the button, sees
// the flash with its seq and the checkpoint listed and verified (its file written to the
// server's checkpoint folder). axe-core checks the page before and after.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBrowserStory, waitForPath, waitForText, type RunningServer } from './helpers.js'

const backend = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}

let server: RunningServer
let page: Page

describe(`audit chain verification in Chromium (${backend})`, () => {
  const story = useBrowserStory({ owner })
  beforeAll(() => void ({ server, page } = story))

  it('opens /audit/verify and reads the verdict', async () => {
    await page.goto(`${server.baseUrl}/audit/verify`)
    await waitForText(page.locator('h1'), 'Audit chain verification')
    await waitForText(page.locator('#verdict-title'), 'OK: the audit log is intact')
    // The server's scheduler signs the day's checkpoint at its start only past 02:00 UTC, so by
    // the wall clock there is either none yet or that one.
    await waitForText(
      page.locator('#checkpoint-verdict'),
      /All \d+ checkpoints match the log\.|No checkpoint has been signed yet\./,
    )
    await story.checkAccessibility('audit verify, no checkpoint')
  })

  it('signs a checkpoint from the keyboard and sees the flash, the row and the file', async () => {
    const button = page.getByRole('button', { name: 'Sign a checkpoint now' })
    await button.focus()
    await page.keyboard.press('Enter')
    await waitForPath(page, '/audit/verify')
    const flash = await waitForText(page.getByRole('status'), /Checkpoint signed at seq \d+\./)
    const seq = Number(flash.match(/seq (\d+)/)![1])
    await waitForText(page.locator('#checkpoint-verdict'), /All \d+ checkpoints match the log\./)
    await waitForText(page.locator(`#checkpoints tr[data-seq="${seq}"]`), 'manual')
    expect(existsSync(join(server.dataDir, 'checkpoints', `checkpoint-${seq}.json`))).toBe(true)
    await story.checkAccessibility('audit verify, one checkpoint')
  })

  it('leaves no serious accessibility violation and no console error', () => {
    story.expectAccessibleAndQuiet(2)
  })
})
