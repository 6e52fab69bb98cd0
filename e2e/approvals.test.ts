// Dual control in a real Chromium against the real server (issue 14 item 6): the first owner
// turns on approval for tenant deletion on /settings/approvals, asks to delete a tenant from its
// page with a reason, and lands on the request, which offers them no Approve button (and a
// hand-made approval of their own request is refused); a second owner, signed in in a second
// browser context, opens /approvals and approves with the keyboard; the tenant is deleted and its
// audit entry names the requester as actor and the approver. axe-core checks the three pages.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import type { DatabaseHandle } from '../src/db/database.js'
import type { Tenant } from '../src/db/tenants.js'
import {
  createSuperAdmin,
  createTenant,
  totpCode as factoryTotpCode,
  type TestAdmin,
} from '../src/test-support/factories.js'
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
const second = { email: `bea-${suffix}@example.test`, name: 'Bea Backup' }
const REASON = `Customer ${suffix} asked to close their account`
const SELF_APPROVAL = 'You asked for this yourself: a second owner or admin must decide it.'

let server: RunningServer
let handle: DatabaseHandle
let browser: Browser
let page: Page
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let tenant: Tenant
let requestId = ''
let approver: TestAdmin
let contextB: BrowserContext | undefined
let pageB: Page
const consoleErrors: string[] = []
const findings = new Map<string, AxeViolation[]>()

// useBrowserStory's setup, with a longer wait for the server (as e2e/tokens.test.ts): on a shared
// two-core machine its start alone can take more than the helper's 60 s.
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
  await contextB?.close().catch(() => {})
  await handle?.close()
  await browser?.close().catch(() => {})
  await server?.stop()
  await database?.drop()
})

const story = {
  async checkAccessibility(name: string, on: Page = page) {
    findings.set(name, await runAxe(on))
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

/** The server's configuration with its own secret key (it generated one into its data dir). */
function serverConfig() {
  const secretKey = readFileSync(join(server.dataDir, 'secret.key'), 'utf8').trim()
  return loadConfig(
    {
      NODE_ENV: 'test',
      FLEETDECK_DATA_DIR: server.dataDir,
      FLEETDECK_SECRET_KEY: secretKey,
      PUBLIC_URL: server.baseUrl,
      ...(database ? { DATABASE_URL: database.url } : {}),
    },
    () => {},
  )
}

describe(`dual control in Chromium (${backend})`, () => {
  it('the first owner requires approval for tenant deletion on /settings/approvals', async () => {
    await page.goto(`${server.baseUrl}/settings/approvals`)
    await waitForText(page.locator('h1'), 'Dual control')
    await story.checkAccessibility('/settings/approvals')
    const box = page.getByLabel('Deleting a tenant', { exact: true })
    expect(await box.isChecked()).toBe(false)
    await box.check()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await waitForPath(page, '/settings/approvals')
    await waitForText(page.locator('[role="status"]'), 'Dual control settings saved.')
    expect(await page.getByLabel('Deleting a tenant', { exact: true }).isChecked()).toBe(true)
  })

  it('asks to delete a tenant with a reason and lands on the request', async () => {
    tenant = await createTenant(handle.db, { slug: `doomed-${suffix}` })
    await page.goto(`${server.baseUrl}/tenants/${tenant.id}`)
    await page.getByLabel(`Type ${tenant.slug} to confirm`, { exact: true }).fill(tenant.slug)
    await page.getByLabel('Reason (required for approval)', { exact: true }).fill(REASON)
    await page.getByRole('button', { name: 'Request deletion' }).click()
    await waitForPath(page, /^\/approvals\/[0-9a-f-]{36}$/)
    requestId = new URL(page.url()).pathname.split('/')[2]!
    await waitForText(
      page.locator('[role="status"]'),
      'Sent for approval: a second owner or admin must approve within 24 hours.',
    )
    const card = page.locator(`#approval-${requestId}`)
    await waitForText(card, `Delete tenant ${tenant.slug}`)
    const text = await card.innerText()
    expect(text).toContain('Deleting a tenant')
    expect(text).toContain(owner.email)
    expect(text).toContain(REASON)
    expect(text).toMatch(/pending — \d+ h \d+ min left/)
    // Nothing was deleted yet.
    const row = await handle.db
      .selectFrom('tenants')
      .select('status')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('active')
  })

  it('offers the requester no Approve button, and refuses their own approval', async () => {
    const card = page.locator(`#approval-${requestId}`)
    await waitForText(card, 'You asked for this: a second owner or admin must approve it.')
    expect(await card.getByRole('button', { name: 'Approve and run' }).count()).toBe(0)
    expect(await card.getByRole('button', { name: 'Cancel this request' }).count()).toBe(1)
    await story.checkAccessibility('/approvals/:id (requester)')

    // A hand-made form posting the approval, as a tampered page would: the server refuses it.
    await page.evaluate((id) => {
      const form = document.createElement('form')
      form.method = 'post'
      form.action = `/approvals/${id}/approval`
      document.body.append(form)
      form.submit()
    }, requestId)
    await waitForPath(page, `/approvals/${requestId}`)
    await waitForText(page.locator('[role="alert"]'), SELF_APPROVAL)
    const request = await handle.db
      .selectFrom('approval_requests')
      .select('status')
      .where('id', '=', requestId)
      .executeTakeFirstOrThrow()
    expect(request.status).toBe('pending')
  })

  it('a second owner signs in in another context, approves with the keyboard; the tenant is deleted', async () => {
    approver = await createSuperAdmin(handle.db, serverConfig(), {
      email: second.email,
      name: second.name,
      role: 'owner',
    })
    contextB = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    pageB = await contextB.newPage()
    pageB.setDefaultTimeout(15_000)
    pageB.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`B ${pageB.url()}: ${message.text()}`)
    })
    pageB.on('pageerror', (error) => consoleErrors.push(`B ${pageB.url()}: ${error.message}`))

    await pageB.goto(`${server.baseUrl}/login`)
    await pageB.getByLabel('Email', { exact: true }).fill(second.email)
    await pageB.getByLabel('Password', { exact: true }).fill(approver.password)
    await pageB.getByRole('button', { name: 'Continue' }).click()
    await waitForPath(pageB, '/login/totp')
    await pageB
      .getByLabel('Code', { exact: true })
      .fill(factoryTotpCode(approver.totpKey, Date.now()))
    await pageB.getByRole('button', { name: 'Sign in' }).click()
    await pageB.waitForURL((url) => !url.pathname.startsWith('/login'))

    await pageB.goto(`${server.baseUrl}/approvals`)
    await waitForText(pageB.locator('h1'), 'Approvals')
    const card = pageB.locator(`#approval-${requestId}`)
    await waitForText(card, REASON)
    expect(await card.innerText()).toContain(owner.email)
    await story.checkAccessibility('/approvals', pageB)

    // Keyboard: focus the approve button and press Enter.
    const approve = card.getByRole('button', { name: 'Approve and run' })
    await card.getByLabel('Note (optional)', { exact: true }).fill('Checked with the customer')
    await approve.focus()
    expect(await approve.evaluate((el) => el === document.activeElement)).toBe(true)
    await pageB.keyboard.press('Enter')
    await waitForPath(pageB, `/approvals/${requestId}`)
    await waitForText(
      pageB.locator('[role="status"]'),
      `Approved and run: Delete tenant ${tenant.slug}.`,
    )
    const decided = pageB.locator(`#approval-${requestId}`)
    await waitForText(decided, 'approved and run')
    expect(await decided.innerText()).toContain(second.email)
    await story.checkAccessibility('/approvals/:id (approved)', pageB)

    await pageB.goto(`${server.baseUrl}/tenants/${tenant.id}`)
    await waitForText(pageB.locator('#overview'), 'Deleted')
    const row = await handle.db
      .selectFrom('tenants')
      .select('status')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('deleted')
  })

  it('the audit entry of the delete names the requester as actor and the approver', async () => {
    const requester = await handle.db
      .selectFrom('super_admins')
      .select('id')
      .where('email', '=', owner.email)
      .executeTakeFirstOrThrow()
    const entries = await handle.db
      .selectFrom('audit_log')
      .select(['actor_id', 'actor_email', 'approved_by_id', 'approved_by_email'])
      .where('action', '=', 'tenant.delete')
      .where('target_id', '=', tenant.id)
      .execute()
    expect(entries).toEqual([
      {
        actor_id: requester.id,
        actor_email: owner.email,
        approved_by_id: approver.admin.id,
        approved_by_email: second.email,
      },
    ])
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    story.expectAccessibleAndQuiet(4)
  })
})
