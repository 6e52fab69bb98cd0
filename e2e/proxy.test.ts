// Fleetdeck behind a real nginx, with TRUST_PROXY naming that proxy: an operator allowed by the
// global IP allowlist works through the proxy, while a direct connection with a spoofed
// X-Forwarded-For gets nothing — a 403 page, and an audit entry with its real address.
import { request } from 'node:http'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CHROMIUM_ARGS,
  createTestDatabase,
  freePort,
  startServer,
  totpCode,
  waitForPath,
  waitForText,
  type RunningServer,
} from './helpers.js'
import {
  PROXY_LISTEN_ADDRESS,
  PROXY_SOURCE_ADDRESS,
  startNginx,
  type RunningNginx,
} from './nginx.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
/** Where the spoofing client connects from: a loopback address nobody allowed. */
const OUTSIDER = '127.0.0.5'

let server: RunningServer
let proxy: RunningNginx
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let browser: Browser
let page: Page
let fleetdeckPort: number
let sessionCookie = ''
const consoleErrors: string[] = []

/** A request straight to Fleetdeck (no proxy), from `localAddress`, with the headers given. */
function direct(
  path: string,
  localAddress: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: fleetdeckPort, path, localAddress, headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe(`behind nginx with TRUST_PROXY (${serverUrl ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    fleetdeckPort = await freePort()
    const proxyPort = await freePort()
    server = await startServer({
      databaseUrl: database?.url,
      port: fleetdeckPort,
      env: {
        TRUST_PROXY: PROXY_SOURCE_ADDRESS,
        PUBLIC_URL: `http://${PROXY_LISTEN_ADDRESS}:${proxyPort}`,
      },
    })
    proxy = await startNginx(proxyPort, fleetdeckPort)
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    page = await (await browser.newContext()).newPage()
    page.setDefaultTimeout(15_000)
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 422\b/.test(m.text()))
        consoleErrors.push(`${page.url()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`))
  })

  afterAll(async () => {
    await browser?.close().catch(() => {})
    await proxy?.stop()
    await server?.stop()
    await database?.drop()
  })

  it('sets up the first owner through the proxy: the printed link already points at it', async () => {
    expect(server.setupLink.startsWith(proxy.baseUrl + '/enrol/')).toBe(true)
    await page.goto(server.setupLink)
    await page.getByLabel('Email', { exact: true }).fill('proxy-owner@example.test')
    await page.getByLabel('Name', { exact: true }).fill('Pat Proxy')
    await page.getByLabel('Password', { exact: true }).fill('correct horse proxy battery')
    await page.getByLabel('Repeat password', { exact: true }).fill('correct horse proxy battery')
    await page.getByRole('button', { name: 'Continue' }).click()
    await waitForPath(page, '/enrol/totp')
    const key = (await page.locator('#totp-key').innerText()).trim()
    await page.getByLabel('Code', { exact: true }).fill(totpCode(key).code)
    await page.getByRole('button', { name: /Confirm/ }).click()
    await waitForPath(page, '/tenants')
    sessionCookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
  })

  it('sees the client address nginx forwards, and allowlists it', async () => {
    await page.getByRole('link', { name: 'Security settings' }).click()
    await waitForPath(page, '/settings/security')
    // The page names the address Fleetdeck sees: the browser's, not nginx's 127.0.0.2.
    await waitForText(page.locator('main'), 'Your address is 127.0.0.1.')
    await page
      .getByLabel('Addresses allowed to reach Fleetdeck', { exact: true })
      .fill('127.0.0.1/32')
    await page.getByRole('button', { name: 'Save allowlist' }).click()
    await waitForText(page.getByRole('status'), 'Global IP allowlist saved.')
    // Still in, through the proxy.
    await page.goto(proxy.baseUrl + '/tenants')
    expect((await page.locator('h1').first().innerText()).trim()).toBe('Tenants')
  })

  it('refuses a direct connection that spoofs X-Forwarded-For, even with a valid session', async () => {
    // It names the public host too, as a hand-made request would: only the address gives it away.
    const spoofed = {
      'x-forwarded-for': '127.0.0.1',
      cookie: sessionCookie,
      host: new URL(proxy.baseUrl).host,
    }
    for (const path of ['/login', '/tenants']) {
      const res = await direct(path, OUTSIDER, spoofed)
      expect(res.status, path).toBe(403)
      expect(res.body).toContain(`Your address (${OUTSIDER}) is not on the allowlist.`)
      expect(res.body).not.toContain('Tenants</h1>')
    }
    // Health probes stay open for load balancers.
    expect((await direct('/healthz', OUTSIDER, {})).status).toBe(200)
  })

  it('records the refusal with the real address in the audit log', async () => {
    await page.goto(proxy.baseUrl + '/audit?action=security.ip_refused')
    const rows = page.locator('#audit-results tbody')
    await waitForText(rows, 'security.ip_refused')
    await waitForText(rows, OUTSIDER)
  })

  it('leaves no browser console errors under the Content-Security-Policy', () => {
    expect(consoleErrors).toEqual([])
    expect(proxy.errorLog()).not.toMatch(/\[(emerg|crit|alert)\]/)
  })
})
