// Issue 10 item 6 in a real Chromium: Fleetdeck as a real server and the example tenant app as a
// real server in this process (as e2e/flags-in-app.test.ts). The owner turns public signup off
// at /settings/signup and the app's /signup is gone (404, no link on its landing page); turned
// back on with Professional as the default plan, a visitor signs a workspace up in the app, lands
// on its board signed in, and the operator sees it on Fleetdeck's tenants list on Professional.
import { randomBytes } from 'node:crypto'
import { serve, type ServerType } from '@hono/node-server'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKit } from '@fleetdeck/kit'
import { createExampleApp } from '../examples/tenant-app/src/app.js'
import { connectFlags } from '../examples/tenant-app/src/flags.js'
import { generateAppKey } from '../src/auth/app-keys.js'
import { insertAppKey } from '../src/db/app-keys.js'
import type { DatabaseHandle } from '../src/db/database.js'
import { findTenantBySlug } from '../src/db/tenants.js'
import {
  createTestDatabase,
  freePort,
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
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `signup-story-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const MIGRATIONS = 'examples/tenant-app/migrations'
/** The kit holds the signup settings 4 s (DEFAULT_CACHE_MS); a page adds the rest. */
const PROPAGATION_MS = 5_000
const slug = `studio-${suffix}`

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let handle: DatabaseHandle
let appServer: ServerType
let appUrl: string
let browser: Browser
let console_: Page
let visitorContext: BrowserContext
let visitor: Page
const errors: string[] = []
const findings = new Map<string, AxeViolation[]>()

async function axe(page: Page, name: string) {
  findings.set(name, await runAxe(page))
}

/** Loads `path` of the app until it answers `status`; returns how long that took, in ms. */
async function appUntil(path: string, status: number, timeoutMs = PROPAGATION_MS + 2_000) {
  const started = Date.now()
  for (;;) {
    const res = await visitor.goto(`${appUrl}${path}`)
    if (res?.status() === status) return Date.now() - started
    if (Date.now() - started > timeoutMs)
      throw new Error(`${path} not ${status} in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Saves the signup settings as the owner does on /settings/signup. */
async function saveSettings(open: boolean, plan: string) {
  await console_.goto(`${server.baseUrl}/settings/signup`)
  await console_.getByLabel('Allow public signup').setChecked(open)
  await console_.getByLabel('Default plan for self-service signups').selectOption({ label: plan })
  await console_.getByRole('button', { name: 'Save signup settings' }).click()
  await waitForText(console_.getByRole('status'), 'Signup settings saved')
}

describe(`self-service signup (${serverUrl ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({
      databaseUrl: database?.url,
      env: { TENANT_MIGRATION_DIRS: MIGRATIONS },
    })
    handle = await openServerDatabase(server, database)
    const port = await freePort()
    appUrl = `http://127.0.0.1:${port}`
    const key = generateAppKey()
    await insertAppKey(
      handle.db,
      { id: key.id, name: 'Notes board', appUrl, secretHash: key.secretHash, createdBy: null },
      new Date(),
    )
    const app = createExampleApp({
      kit: createKit({ fleetdeckUrl: server.baseUrl, appKey: key.token, appUrl }),
      flags: await connectFlags({ fleetdeckUrl: server.baseUrl, appKey: key.token }),
      db: handle.db,
      cookieSecret: randomBytes(32).toString('hex'),
    })
    appServer = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' })

    const opened = await openPage(errors)
    browser = opened.browser
    console_ = opened.page
    visitorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    visitor = await visitorContext.newPage()
    visitor.setDefaultTimeout(15_000)
    visitor.on('pageerror', (error) => errors.push(`${visitor.url()}: ${error.message}`))
  })

  afterAll(async () => {
    await browser?.close().catch(() => {})
    appServer?.close()
    await handle?.close()
    await server?.stop()
    await database?.drop()
  })

  it('the app offers signup on a new Fleetdeck', async () => {
    await visitor.goto(`${appUrl}/`)
    await visitor.getByRole('link', { name: 'Create a workspace' }).waitFor()
    await axe(visitor, 'app landing')
  })

  it('the owner turns public signup off; the app’s /signup is gone and nothing links to it', async () => {
    await setUpFirstOwner(console_, server.setupLink, owner)
    await saveSettings(false, 'The first public plan (now Free)')
    await axe(console_, '/settings/signup')

    const took = await appUntil('/signup', 404)
    expect(took).toBeLessThanOrEqual(PROPAGATION_MS + 1_000)
    await waitForText(visitor.locator('h1'), 'Signup is closed')
    await axe(visitor, 'app /signup closed')
    await visitor.goto(`${appUrl}/`)
    expect(await visitor.locator('a[href="/signup"]').count()).toBe(0)
    // Chromium logs each 404 as a failed load: expected here, and only here.
    for (let i = errors.length - 1; i >= 0; i--)
      if (/\/signup: .*404 \(Not Found\)/.test(errors[i])) errors.splice(i, 1)
  })

  it('turned on with Professional as default, a visitor signs a workspace up and lands on its board', async () => {
    await saveSettings(true, 'Professional')
    await appUntil('/signup', 200)
    await waitForText(visitor.locator('main'), 'New workspaces start on the Professional plan.')
    await axe(visitor, 'app /signup')

    await visitor.getByLabel('Workspace name', { exact: true }).fill('Studio Story')
    await visitor.getByLabel('Workspace address', { exact: true }).fill(slug)
    await visitor.getByLabel('Your name', { exact: true }).fill('Grace Hopper')
    await visitor.getByLabel('Email', { exact: true }).fill(`grace-${suffix}@example.test`)
    await visitor.getByLabel('Password', { exact: true }).fill('a long board password')
    await visitor.getByRole('button', { name: 'Create workspace' }).click()

    await waitForPath(visitor, `/t/${slug}/`)
    await waitForText(visitor.getByRole('status'), 'your workspace is on the Professional plan')
    await waitForText(visitor.locator('h1'), 'Board')
    await axe(visitor, 'app board after signup')
    expect(await findTenantBySlug(handle.db, slug)).toMatchObject({
      status: 'active',
      planId: 'professional',
    })
  })

  it('the operator sees the new workspace on the tenants list, on Professional', async () => {
    await console_.goto(`${server.baseUrl}/tenants?q=${slug}`)
    const tenant = (await findTenantBySlug(handle.db, slug))!
    const row = console_.locator(`#tenant-${tenant.id}`)
    await waitForText(row, 'Studio Story')
    await waitForText(row, 'Professional')
    await axe(console_, '/tenants')

    expect(graveViolations(findings)).toEqual([])
    expect(errors).toEqual([])
  })
})
