// Issue 9 items 5 and 6 in a real Chromium: Fleetdeck as a real server and the example tenant app
// as a real server in this process (as e2e/tenant-app.test.ts). The operator creates
// `drawings-beta` on /flags/new and turns it on for Acme on Acme's tenant page; Acme's user sees
// the Drawings link in the example app within the cache window (the app evaluates the flag with
// OpenFeature's server SDK and the OFREP provider), Globex's user does not. Export follows the
// plan: `board-export` is included in Professional, so Globex sees it and Acme (Free) does not.
import { randomBytes } from 'node:crypto'
import { serve, type ServerType } from '@hono/node-server'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKit } from '@fleetdeck/kit'
import { createExampleApp } from '../examples/tenant-app/src/app.js'
import { boardOf, listDrawings, saveCredentials } from '../examples/tenant-app/src/board-db.js'
import { connectFlags } from '../examples/tenant-app/src/flags.js'
import { hashPassword } from '../examples/tenant-app/src/passwords.js'
import { generateAppKey } from '../src/auth/app-keys.js'
import { insertAppKey } from '../src/db/app-keys.js'
import type { DatabaseHandle } from '../src/db/database.js'
import type { Tenant } from '../src/db/tenants.js'
import { createFlag, createTenant } from '../src/test-support/factories.js'
import {
  createTestDatabase,
  freePort,
  openPage,
  openServerDatabase,
  ROOT,
  runAxe,
  setUpFirstOwner,
  startServer,
  waitForPath,
  waitForText,
  type RunningServer,
} from './helpers.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `flags-story-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const PASSWORD = 'board password for flags'
const MIGRATIONS = 'examples/tenant-app/migrations'
/** The example app holds a tenant's flag answer 4 s (DEFAULT_CACHE_MS); a page adds the rest. */
const PROPAGATION_MS = 5_000

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let handle: DatabaseHandle
let appServer: ServerType
let appUrl: string
let browser: Browser
let console_: Page
let acmeContext: BrowserContext
let globexContext: BrowserContext
let acmeUser: Page
let globexUser: Page
let acme: Tenant
let globex: Tenant
const errors: string[] = []

async function serious(page: Page) {
  return (await runAxe(page)).filter((v) => ['serious', 'critical'].includes(v.impact))
}

/** A tenant onboarded with the app's tables, whose first admin has the board password. */
async function workspace(slug: string, name: string, planId: string) {
  const tenant = await createTenant(handle.db, {
    slug,
    name,
    planId,
    tenantMigrationDirs: [`${ROOT}${MIGRATIONS}`],
  })
  await saveCredentials(
    boardOf(handle.db, slug),
    tenant.firstAdminEmail,
    await hashPassword(PASSWORD),
  )
  return tenant
}

async function signInToApp(page: Page, tenant: Tenant) {
  await page.goto(`${appUrl}/t/${tenant.slug}/`)
  await waitForPath(page, `/t/${tenant.slug}/sign-in`)
  await page.getByLabel('Email', { exact: true }).fill(tenant.firstAdminEmail)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await waitForPath(page, `/t/${tenant.slug}/`)
  await waitForText(page.locator('h1'), 'Board')
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Workspace' })

/** Reloads `page` until its navigation has a Drawings link; returns how long that took, in ms. */
async function reloadUntilDrawingsLink(page: Page, timeoutMs = PROPAGATION_MS + 2_000) {
  const started = Date.now()
  for (;;) {
    await page.reload()
    if ((await nav(page).getByRole('link', { name: 'Drawings' }).count()) > 0)
      return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`no Drawings link after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

describe(`flags in the example app (${serverUrl ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
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
    acme = await workspace(`acme-${suffix}`, 'Acme', 'free')
    globex = await workspace(`globex-${suffix}`, 'Globex', 'professional')
    // The plan's side of the story: Export is included in Professional and Enterprise.
    await createFlag(handle.db, {
      key: 'board-export',
      planValues: { professional: true, enterprise: true },
    })

    const opened = await openPage(errors)
    browser = opened.browser
    console_ = opened.page
    acmeContext = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    globexContext = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    acmeUser = await acmeContext.newPage()
    globexUser = await globexContext.newPage()
    for (const page of [acmeUser, globexUser]) {
      page.setDefaultTimeout(15_000)
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`))
    }
  })

  afterAll(async () => {
    await browser?.close().catch(() => {})
    appServer?.close()
    await handle?.close()
    await server?.stop()
    await database?.drop()
  })

  it('before the flag exists, neither tenant sees Drawings', async () => {
    await signInToApp(acmeUser, acme)
    await signInToApp(globexUser, globex)
    expect(await nav(acmeUser).getByRole('link', { name: 'Drawings' }).count()).toBe(0)
    expect(await nav(globexUser).getByRole('link', { name: 'Drawings' }).count()).toBe(0)
  })

  it('the operator creates drawings-beta on /flags/new and turns it on for Acme on its tenant page', async () => {
    await setUpFirstOwner(console_, server.setupLink, owner)
    await console_.goto(server.baseUrl + '/flags/new')
    await console_.getByLabel('Key', { exact: true }).fill('drawings-beta')
    await console_
      .getByLabel('Description', { exact: true })
      .fill('The Drawings page of the example app')
    await console_.getByLabel('Type', { exact: true }).selectOption('boolean')
    await console_.getByLabel('Default', { exact: true }).fill('off')
    await console_.getByRole('button', { name: 'Create flag' }).click()
    await waitForText(console_.getByRole('status'), 'Flag drawings-beta created.')

    await console_.goto(`${server.baseUrl}/tenants/${acme.id}`)
    await console_.getByRole('button', { name: 'Turn on drawings-beta' }).click()
    await console_.getByRole('button', { name: 'Turn off drawings-beta' }).waitFor()
  })

  it('Acme sees the Drawings link within the cache window, adds a drawing; Globex does not see it', async () => {
    const took = await reloadUntilDrawingsLink(acmeUser)
    expect(took).toBeLessThanOrEqual(PROPAGATION_MS + 1_000)

    await nav(acmeUser).getByRole('link', { name: 'Drawings' }).click()
    await waitForPath(acmeUser, `/t/${acme.slug}/drawings`)
    await waitForText(acmeUser.locator('h1'), 'Drawings')
    await acmeUser.getByLabel('Title', { exact: true }).fill('Floor plan')
    await acmeUser.getByLabel('Width (pixels)', { exact: true }).fill('1024')
    await acmeUser.getByLabel('Height (pixels)', { exact: true }).fill('768')
    await acmeUser.getByRole('button', { name: 'Add drawing' }).click()
    await waitForText(acmeUser.getByRole('status'), 'Drawing “Floor plan” added.')
    await waitForText(acmeUser.locator('#drawings'), 'Floor plan')
    expect(await serious(acmeUser)).toEqual([])
    const rows = await listDrawings(boardOf(handle.db, acme.slug))
    expect(rows.map((d) => [d.title, d.width, d.height])).toEqual([['Floor plan', 1024, 768]])

    await globexUser.reload()
    expect(await nav(globexUser).getByRole('link', { name: 'Drawings' }).count()).toBe(0)
    const refused = await globexUser.goto(`${appUrl}/t/${globex.slug}/drawings`)
    expect(refused?.status()).toBe(404)
    await waitForText(globexUser.locator('h1'), 'Not found')
    // Chromium logs the 404 as a failed load: expected here, and only here.
    for (let i = errors.length - 1; i >= 0; i--)
      if (/\/drawings: .*404 \(Not Found\)/.test(errors[i])) errors.splice(i, 1)
  })

  it('Export follows the plan: Globex (Professional) has it, Acme (Free) does not', async () => {
    await globexUser.goto(`${appUrl}/t/${globex.slug}/`)
    await globexUser.getByRole('link', { name: 'Export board' }).waitFor()
    expect(await serious(globexUser)).toEqual([])

    await acmeUser.goto(`${appUrl}/t/${acme.slug}/`)
    await waitForText(acmeUser.locator('h1'), 'Board')
    expect(await acmeUser.getByRole('link', { name: 'Export board' }).count()).toBe(0)
    expect(await serious(acmeUser)).toEqual([])
    expect(errors).toEqual([])
  })
})
