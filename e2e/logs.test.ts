// The JSON log of a whole story (issue 10 item 5): the real server with LOG_LEVEL=debug, its
// stdout and stderr captured, Chromium doing what an operator does — the first owner through
// the setup link, TOTP enrolment, a failed sign-in, a sign-in, a step-up, a tenant, an app key —
// then the log read back: one JSON line per request with its fields, and none of the secrets
// typed or shown along the way. Embedded PGlite by default; PostgreSQL with TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CHROMIUM_ARGS,
  createTestDatabase,
  startServer,
  totpCode,
  waitForPath,
  waitForStepAfter,
  waitForText,
  type RunningServer,
} from './helpers.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
const backend = serverUrl ? 'PostgreSQL' : 'embedded PGlite'

const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `logs-owner-${suffix}@example.test`,
  name: 'Lena Logs',
  password: `log-story pass ${suffix} phrase`,
}
const wrongPassword = `not-the-password ${suffix} at all`
const tenant = {
  slug: `logs-${suffix}`,
  name: `Logline Freight ${suffix}`,
  billingEmail: `billing-${suffix}@logline.example`,
}

let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let browser: Browser
let context: BrowserContext
let page: Page

/** Everything that must never reach the log, by what it is. */
const secrets = new Map<string, string>()
let lastStep = 0

/** A fresh TOTP code (a step not used before), remembered as a secret. */
async function nextCode(what: string): Promise<string> {
  await waitForStepAfter(lastStep)
  const { code, step } = totpCode(totpKey)
  lastStep = step
  secrets.set(`TOTP code (${what})`, code)
  return code
}
let totpKey = ''

type RequestLine = {
  level: string
  msg: string
  requestId: string
  method: string
  route: string
  status: number
  durationMs: number
  operatorId?: string
  ip: string | null
}

describe(`the JSON log of a story in Chromium (${backend})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({ databaseUrl: database?.url, env: { LOG_LEVEL: 'debug' } })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
  })

  afterAll(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
  })

  it('runs the story: setup, enrolment, a failed and a good sign-in, step-up, tenant, app key', async () => {
    const token = new URL(server.setupLink).pathname.split('/').pop()!
    secrets.set('enrolment token', token)
    secrets.set('owner password', owner.password)
    secrets.set('wrong password', wrongPassword)

    await page.goto(server.setupLink)
    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Name', { exact: true }).fill(owner.name)
    await page.getByLabel('Password', { exact: true }).fill(owner.password)
    await page.getByLabel('Repeat password', { exact: true }).fill(owner.password)
    await page.getByRole('button', { name: 'Continue' }).click()
    await waitForPath(page, '/enrol/totp')
    totpKey = (await page.locator('#totp-key').innerText()).trim()
    secrets.set('TOTP key', totpKey)
    const first = totpCode(totpKey)
    lastStep = first.step
    secrets.set('TOTP code (enrolment)', first.code)
    await page.getByLabel('Code', { exact: true }).fill(first.code)
    await page.getByRole('button', { name: /Confirm/ }).click()
    await waitForPath(page, '/tenants')

    await page.getByRole('button', { name: 'Sign out' }).click()
    await waitForPath(page, '/login')
    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Password', { exact: true }).fill(wrongPassword)
    await page.getByRole('button', { name: 'Continue' }).click()
    await waitForText(page.getByRole('alert').first(), /./)
    expect(new URL(page.url()).pathname).toBe('/login')

    await page.getByLabel('Email', { exact: true }).fill(owner.email)
    await page.getByLabel('Password', { exact: true }).fill(owner.password)
    await page.getByRole('button', { name: 'Continue' }).click()
    await waitForPath(page, '/login/totp')
    await page.getByLabel('Code', { exact: true }).fill(await nextCode('sign-in'))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await waitForPath(page, '/tenants')

    await page.goto(`${server.baseUrl}/step-up?next=${encodeURIComponent('/settings/app-keys')}`)
    await page.getByLabel('Code', { exact: true }).fill(await nextCode('step-up'))
    await page.getByRole('button', { name: 'Confirm' }).click()
    await waitForPath(page, '/settings/app-keys')

    await page.goto(server.baseUrl + '/tenants/new')
    await page.getByLabel('Slug', { exact: true }).fill(tenant.slug)
    await page.getByLabel('Name', { exact: true }).fill(tenant.name)
    await page.getByLabel('Plan', { exact: true }).selectOption('free')
    await page.getByLabel('Billing email', { exact: true }).fill(tenant.billingEmail)
    await page
      .getByLabel("First admin's email", { exact: true })
      .fill(`ada-${suffix}@logline.example`)
    await page.getByLabel("First admin's name", { exact: true }).fill('Ada Logline')
    await page.getByRole('button', { name: 'Create tenant' }).click()
    await waitForPath(page, /^\/tenants\/[0-9a-f-]{36}$/, 60_000)
    await waitForText(page.getByRole('status'), `Tenant ${tenant.slug} is ready.`)

    await page.goto(server.baseUrl + '/settings/app-keys')
    await page.getByLabel('Name', { exact: true }).fill(`Logline app ${suffix}`)
    await page.getByLabel('App URL', { exact: true }).fill('http://127.0.0.1:3999')
    await page.getByRole('button', { name: 'Create app key' }).click()
    const appKey = (await page.locator('#app-key-token').innerText()).trim()
    expect(appKey).toMatch(/^fdk_/)
    secrets.set('app key', appKey)
    secrets.set('app key secret part', appKey.split('.').pop()!)

    const cookies = await context.cookies()
    const session = cookies.find((c) => c.name.endsWith('fleetdeck_session'))
    expect(session?.value).toBeTruthy()
    secrets.set('session cookie', session!.value)
    for (const c of cookies) if (c.value.length >= 16) secrets.set(`cookie ${c.name}`, c.value)
  })

  it('has one JSON line per request with its fields, and none of the secrets', async () => {
    // Stopping flushes and closes stdout and stderr: the whole log is in hand afterwards.
    await browser.close()
    await server.stop()
    const log = server.output()

    const json = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const requests = json.filter((line) => line.msg === 'request') as RequestLine[]
    expect(requests.length).toBeGreaterThanOrEqual(25)
    for (const line of requests) {
      expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/)
      expect(line.method).toMatch(/^(GET|POST|DELETE|HEAD)$/)
      expect(line.route).toMatch(/^\/|^unmatched$/)
      expect(line.status).toEqual(expect.any(Number))
      expect(line.durationMs).toEqual(expect.any(Number))
      expect(line.ip).toBe('127.0.0.1')
    }
    expect(new Set(requests.map((l) => l.requestId)).size).toBe(requests.length)
    const seen = (method: string, route: string, status?: number) =>
      requests.some(
        (l) => l.method === method && l.route === route && (!status || l.status === status),
      )
    expect(seen('GET', '/enrol/:token', 200)).toBe(true)
    expect(seen('POST', '/login', 401)).toBe(true)
    expect(seen('POST', '/login/totp', 303)).toBe(true)
    expect(seen('POST', '/step-up', 303)).toBe(true)
    expect(seen('POST', '/tenants', 303)).toBe(true)
    expect(seen('POST', '/settings/app-keys', 201)).toBe(true)
    // Signed-in requests carry the operator; the failed sign-in does not.
    const appKeyLine = requests.find((l) => l.route === '/settings/app-keys' && l.status === 201)!
    expect(appKeyLine.operatorId).toMatch(/^[0-9a-f-]{36}$/)
    expect(
      requests.find((l) => l.route === '/login' && l.status === 401)!.operatorId,
    ).toBeUndefined()

    expect(secrets.size).toBeGreaterThanOrEqual(9)
    // The setup link is the one secret the server prints on purpose, once, for the operator at
    // the console (README): it is on that line and nowhere else, and never in a JSON line.
    const token = secrets.get('enrolment token')!
    expect(log.split(token).length - 1).toBe(1)
    expect(log.split('\n').find((line) => line.includes(token))).toBe(`  ${server.setupLink}`)
    const elsewhere = log.replace(server.setupLink, '')
    for (const [what, value] of secrets) {
      // A 6-digit code could sit inside a hex request id by chance: match it as a whole token.
      const pattern = /^\d{6}$/.test(value)
        ? new RegExp(`(?<![0-9a-fA-F])${value}(?![0-9a-fA-F])`)
        : new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      expect(pattern.test(elsewhere), `${what} appears in the output`).toBe(false)
    }
  })
})
