// API tokens in a real Chromium against the real server (issue 14 item 2): the first owner goes
// from /account to /account/tokens, creates a token "terraform" carrying saas.tenants.view,
// reads it from the page (the only time it is shown) and copies it with the keyboard, calls the
// REST API with it from outside the browser, sees its last use on the list, revokes it, and the
// API refuses it from then on. axe-core checks every page visited.
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

const backend = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}

let server: RunningServer
let handle: DatabaseHandle
let browser: Browser
let page: Page
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let token = ''
const consoleErrors: string[] = []
const findings = new Map<string, AxeViolation[]>()

// useBrowserStory's setup, with a longer wait for the server: on a shared two-core machine its
// start alone can take more than the helper's 60 s.
const STARTUP_MS = 240_000
beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL)
    database = await createTestDatabase(process.env.TEST_DATABASE_URL)
  server = await startServer({ databaseUrl: database?.url, timeoutMs: STARTUP_MS })
  handle = await openServerDatabase(server, database)
  ;({ browser, page } = await openPage(consoleErrors))
  await setUpFirstOwner(page, server.setupLink, owner)
}, STARTUP_MS + 60_000)

afterAll(async () => {
  await handle?.close()
  await browser?.close().catch(() => {})
  await server?.stop()
  await database?.drop()
})

const story = {
  async checkAccessibility(name: string) {
    findings.set(name, await runAxe(page))
  },
  expectAccessibleAndQuiet(pages: number) {
    console.log(
      `axe-core (${backend}): ` +
        JSON.stringify([...findings].map(([n, v]) => [n, v.map((x) => x.id)])),
    )
    expect(findings.size).toBe(pages)
    expect(graveViolations(findings)).toEqual([])
    expect(consoleErrors).toEqual([])
  },
}

function callApi(path: string, bearer?: string): Promise<Response> {
  return fetch(`${server.baseUrl}/api/v1${path}`, {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
  })
}

describe(`API tokens in Chromium (${backend})`, () => {
  it('creates a token from the account page and reads it once', async () => {
    await page.goto(`${server.baseUrl}/account`)
    await page.getByRole('link', { name: 'Manage your API tokens' }).click()
    await waitForPath(page, '/account/tokens')
    await story.checkAccessibility('tokens')
    await page.getByLabel('Name', { exact: true }).fill('terraform')
    await page.getByLabel('saas.tenants.view', { exact: true }).check()
    await page.getByLabel('Expires in').selectOption('30')
    await page.getByRole('button', { name: 'Create token' }).click()
    await waitForText(page.locator('h1'), 'API token created: terraform')
    await waitForText(page.locator('[role="alert"]'), "you won't see it again")
    token = (await page.locator('#api-token-value').innerText()).trim()
    expect(token).toMatch(/^fdt_[a-z2-7]{32}\.[a-z2-7]{32}$/)
    await story.checkAccessibility('token created')

    // The copy button works from the keyboard: focus it and press Enter.
    const copy = page.getByRole('button', { name: 'Copy the API token' })
    await copy.focus()
    await page.keyboard.press('Enter')
    await waitForText(page.locator('#live-region'), /Copied|selected/)

    const rows = await handle.db
      .selectFrom('api_tokens')
      .select(['name', 'permissions'])
      .where('name', '=', 'terraform')
      .execute()
    expect(rows).toEqual([{ name: 'terraform', permissions: ['saas.tenants.view'] }])
  })

  it('calls the REST API with the token; without it the API refuses', async () => {
    const doc = await callApi('/openapi.json', token)
    expect(doc.status).toBe(200)
    expect((await doc.json()).openapi).toBe('3.1.0')
    // A guarded address: 401 without a valid token, past the guard (404 problem) with one.
    expect((await callApi('/anything')).status).toBe(401)
    const guarded = await callApi('/anything', token)
    expect(guarded.status).toBe(404)
    expect(guarded.headers.get('content-type')).toMatch(/application\/problem\+json/)
  })

  it('shows the last use, revokes the token, and the API refuses it at once', async () => {
    await page.goto(`${server.baseUrl}/account/tokens`)
    const row = page.locator('#own-token-table tbody tr', { hasText: 'terraform' })
    await waitForText(row, /from (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)/)
    await row.getByRole('button', { name: 'Revoke terraform' }).click()
    await waitForText(page.locator('[role="status"]'), 'API token “terraform” revoked')
    await waitForText(row, 'revoked')
    await story.checkAccessibility('token revoked')
    const refused = await callApi('/anything', token)
    expect(refused.status).toBe(401)
    expect((await refused.json()).detail).toMatch(/revoked/)
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    story.expectAccessibleAndQuiet(3)
  })
})
