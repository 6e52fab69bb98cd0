// Issue 14 item 3 in a real Chromium: the first owner is set up, then signs in again through a
// real OpenID Provider (oidc-provider on 127.0.0.1, its own login page) with "Continue with
// Acme SSO", is asked for the TOTP code all the same, and lands on the console. Prints the SSO
// round trip: from the click to the TOTP page, and to the first console page.
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOidcProvider, type TestIdp } from '../src/test-support/oidc-provider.js'
import {
  createTestDatabase,
  freePort,
  graveViolations,
  openPage,
  runAxe,
  setUpFirstOwner,
  startServer,
  totpCode,
  totpStep,
  waitForPath,
  waitForStepAfter,
  type AxeViolation,
  type RunningServer,
} from './helpers.js'

const serverUrl = process.env.TEST_DATABASE_URL || undefined
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `sso-owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}

let idp: TestIdp
let server: RunningServer
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
let browser: Browser
let page: Page
let totpKey: string
const errors: string[] = []
const findings = new Map<string, AxeViolation[]>()

describe(`operator sign-in through an identity provider (${serverUrl ? 'PostgreSQL' : 'embedded PGlite'})`, () => {
  beforeAll(async () => {
    const port = await freePort()
    idp = await startOidcProvider({
      redirectUri: `http://127.0.0.1:${port}/login/sso/oidc/callback`,
      accounts: [{ id: 'olive', email: owner.email.toUpperCase(), emailVerified: true }],
    })
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({
      port,
      // The machine is shared: give the first start (assets, migrations) room.
      timeoutMs: 200_000,
      databaseUrl: database?.url,
      env: {
        SSO_PROVIDERS: 'oidc',
        SSO_OIDC_ISSUER: idp.issuer,
        SSO_OIDC_CLIENT_ID: idp.client.id,
        SSO_OIDC_CLIENT_SECRET: idp.client.secret,
        SSO_OIDC_NAME: 'Acme SSO',
      },
    })
    ;({ browser, page } = await openPage(errors))
    totpKey = await setUpFirstOwner(page, server.setupLink, owner)
  }, 300_000)

  afterAll(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
    await idp?.close()
  })

  it('signs in with "Continue with Acme SSO", then the TOTP code, and lands on the console', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const fresh = await context.newPage()
    fresh.setDefaultTimeout(15_000)
    fresh.on('pageerror', (error) => errors.push(`${fresh.url()}: ${error.message}`))
    await fresh.goto(`${server.baseUrl}/login`)
    const button = fresh.getByRole('button', { name: 'Continue with Acme SSO' })
    await button.waitFor()
    findings.set('/login with SSO', await runAxe(fresh))
    // Keyboard: the button is reachable with Tab from the password form.
    await fresh.getByLabel('Password', { exact: true }).focus()
    await fresh.keyboard.press('Tab')
    await fresh.keyboard.press('Tab')
    expect(await button.evaluate((el) => el === document.activeElement)).toBe(true)
    // The setup used the current TOTP step; each is accepted once.
    await waitForStepAfter(totpStep())

    const started = performance.now()
    await fresh.keyboard.press('Enter')
    await fresh.waitForURL((url) => url.href.startsWith(idp.issuer))
    await fresh.locator('input[name="login"]').fill('olive')
    await fresh.locator('input[name="password"]').fill('anything')
    await fresh.locator('button[type="submit"]').first().click()
    await waitForPath(fresh, '/login/totp')
    const toTotp = performance.now() - started
    findings.set('/login/totp after SSO', await runAxe(fresh))
    await fresh.getByLabel('Code', { exact: true }).fill(totpCode(totpKey).code)
    await fresh.getByRole('button', { name: 'Sign in' }).click()
    await fresh.waitForURL((url) => !url.pathname.startsWith('/login'))
    await fresh.locator('main h1').first().waitFor()
    const toConsole = performance.now() - started
    console.log(
      `SSO round trip: click → TOTP page ${toTotp.toFixed(0)} ms; click → first console page ${toConsole.toFixed(0)} ms (provider login form filled by the test)`,
    )
    expect(new URL(fresh.url()).origin).toBe(server.baseUrl)
    await context.close()
  })

  it('has no serious accessibility finding and no page error', () => {
    console.log(JSON.stringify([...findings], null, 1))
    expect(graveViolations(findings)).toEqual([])
    expect(findings.size).toBe(2)
    expect(errors).toEqual([])
  })
})
