// The JSON log of a whole story (issue 10 item 5): the real server with LOG_LEVEL=debug and
// METRICS_TOKEN, its stdout and stderr captured, Chromium doing what an operator does — the first
// owner through the setup link, TOTP enrolment, a failed sign-in, a sign-in, a step-up, a mail
// relay with a password (and a test email through it, signing in to a real SMTP server), a
// licence key, a tenant, an app key —, then Prometheus scraping /metrics with the token and once
// with a wrong one, and a tenant app calling the kit API with the app key (and once with a wrong
// one); then the log read back: one JSON line per request with its fields, and none of the
// secrets typed, shown or sent along the way. Embedded PGlite by default; PostgreSQL with
// TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSmtpCapture, type SmtpCapture } from '../src/test-support/smtp-capture.js'
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
const relay = {
  user: `relay-user-${suffix}`,
  password: `relay pass ${randomBytes(6).toString('hex')}`,
}
const licenceKey = `FD-LIC-${randomBytes(8).toString('hex').toUpperCase()}-LOGS`
const metricsToken = `metrics-${randomBytes(16).toString('hex')}`
const wrongMetricsToken = `metrics-${randomBytes(16).toString('hex')}`
const wrongAppKey = `fdk_${randomBytes(8).toString('hex')}.${randomBytes(24).toString('hex')}`

let server: RunningServer
let smtp: SmtpCapture
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
    // A relay that signs in: the test email carries the relay password over SMTP AUTH.
    smtp = await startSmtpCapture({ auth: { user: relay.user, pass: relay.password } })
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({
      databaseUrl: database?.url,
      env: { LOG_LEVEL: 'debug', METRICS_TOKEN: metricsToken },
    })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
  })

  afterAll(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
    await smtp?.close()
  })

  it('runs the story: setup, enrolment, sign-ins, step-up, mail relay, licence, tenant, app key', async () => {
    const token = new URL(server.setupLink).pathname.split('/').pop()!
    secrets.set('enrolment token', token)
    secrets.set('owner password', owner.password)
    secrets.set('wrong password', wrongPassword)
    secrets.set('relay password', relay.password)
    // How the password travels to the relay: SMTP AUTH PLAIN or LOGIN, base64.
    secrets.set(
      'relay AUTH PLAIN',
      Buffer.from(`\u0000${relay.user}\u0000${relay.password}`).toString('base64'),
    )
    secrets.set('relay AUTH LOGIN', Buffer.from(relay.password).toString('base64'))
    secrets.set('licence key', licenceKey)
    secrets.set('METRICS_TOKEN', metricsToken)
    secrets.set('wrong metrics token', wrongMetricsToken)
    secrets.set('wrong app key', wrongAppKey)

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
    await waitForPath(page, '/') // the dashboard, where a sign-in without `next` lands

    await page.goto(`${server.baseUrl}/step-up?next=${encodeURIComponent('/settings/mail')}`)
    await page.getByLabel('Code', { exact: true }).fill(await nextCode('step-up'))
    await page.getByRole('button', { name: 'Confirm' }).click()
    await waitForPath(page, '/settings/mail')

    // Within the step-up's ten minutes: the relay with its password, a test email through it,
    // and the licence key.
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1')
    await page.getByLabel('Port', { exact: true }).fill(String(smtp.port))
    await page.getByLabel('Connection security').selectOption('none')
    await page.getByLabel('User', { exact: true }).fill(relay.user)
    await page.getByLabel('Password', { exact: true }).fill(relay.password)
    await page.getByLabel('Sender (From)').fill('Fleetdeck Ops <ops@fleet.example>')
    await page.getByRole('button', { name: 'Save the relay' }).click()
    await waitForText(
      page.locator('[role="status"]'),
      `Mail relay saved: every mail now goes through 127.0.0.1:${smtp.port}.`,
    )
    const arriving = smtp.next()
    await page.getByRole('button', { name: 'Send test email' }).click()
    await waitForText(page.locator('[role="status"]'), `Test email sent to ${owner.email}.`)
    expect((await arriving).envelopeTo).toEqual([owner.email])

    await page.goto(`${server.baseUrl}/settings/licence`)
    await page.getByLabel('Licence key').fill(licenceKey)
    await page.getByRole('button', { name: 'Save the key' }).click()
    await waitForText(
      page.locator('[role="status"]'),
      `the key ending in …${licenceKey.slice(-4)} is recorded`,
    )

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

    // Prometheus with METRICS_TOKEN, and once with a wrong one.
    const scrape = (bearer: string) =>
      fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${bearer}` } })
    const scraped = await scrape(metricsToken)
    expect(scraped.status).toBe(200)
    expect(await scraped.text()).toContain('fleetdeck_metrics_database_up 1')
    expect((await scrape(wrongMetricsToken)).status).toBe(401)

    // A tenant app asking the kit API about its tenant with the app key, and once with a wrong one.
    const kit = (bearer: string) =>
      fetch(`${server.baseUrl}/kit/v1/tenants/${tenant.slug}`, {
        headers: { authorization: `Bearer ${bearer}` },
      })
    const answered = await kit(appKey)
    expect(answered.status).toBe(200)
    expect(((await answered.json()) as { tenant: { slug: string } }).tenant.slug).toBe(tenant.slug)
    expect((await kit(wrongAppKey)).status).toBe(401)

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
    // The new-tenant form posts through htmx: 200 with HX-Redirect (src/web/request.ts).
    expect(seen('POST', '/tenants', 200)).toBe(true)
    expect(seen('POST', '/settings/app-keys', 201)).toBe(true)
    expect(seen('POST', '/settings/mail', 303)).toBe(true)
    expect(seen('POST', '/settings/mail/test', 303)).toBe(true)
    expect(seen('POST', '/settings/licence', 303)).toBe(true)
    expect(seen('GET', '/metrics', 200)).toBe(true)
    expect(seen('GET', '/metrics', 401)).toBe(true)
    expect(seen('GET', '/kit/v1/tenants/:slug', 200)).toBe(true)
    expect(seen('GET', '/kit/v1/tenants/:slug', 401)).toBe(true)
    // Signed-in requests carry the operator; the failed sign-in does not.
    const appKeyLine = requests.find((l) => l.route === '/settings/app-keys' && l.status === 201)!
    expect(appKeyLine.operatorId).toMatch(/^[0-9a-f-]{36}$/)
    expect(
      requests.find((l) => l.route === '/login' && l.status === 401)!.operatorId,
    ).toBeUndefined()

    expect(secrets.size).toBeGreaterThanOrEqual(17)
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
