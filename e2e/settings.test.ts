// Cluster settings in a real Chromium against the real server (issue 10 item 6): the first
// owner opens /settings, saves an SMTP relay pointing at a real SMTP server started here
// (smtp-server on 127.0.0.1), sends a test email and sees it arrive, records a licence key, and
// rotates the tenant signing key after reading how many impersonations and kit sessions it
// ends (a second tab still showing the old key is refused), then rotates the super-admin secret and is signed out. axe-core checks every page
// visited.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import type { DatabaseHandle } from '../src/db/database.js'
import { TEST_MAIL_SUBJECT } from '../src/operators/mail-relay.js'
import {
  impersonationScene,
  startSceneImpersonation,
  tokenOf,
} from '../src/test-support/impersonation.js'
import { startSmtpCapture, type SmtpCapture } from '../src/test-support/smtp-capture.js'
import { useBrowserStory, waitForPath, waitForText, type RunningServer } from './helpers.js'

const backend = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}

let smtp: SmtpCapture

/** Two live impersonations started on the server's database; the second redeemed by its app. */
async function twoLiveImpersonations(): Promise<string[]> {
  // The server generated its secret key into its data dir (development default).
  const secretKey = readFileSync(join(server.dataDir, 'secret.key'), 'utf8').trim()
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      FLEETDECK_DATA_DIR: server.dataDir,
      FLEETDECK_SECRET_KEY: secretKey,
      PUBLIC_URL: server.baseUrl,
    },
    () => {},
  )
  const ids: string[] = []
  for (const redeem of [false, true]) {
    const scene = await impersonationScene(handle.db, config)
    const started = await startSceneImpersonation(handle.db, config, scene, new Date())
    ids.push(started.impersonation.id)
    if (!redeem) continue
    const res = await fetch(`${server.baseUrl}/kit/v1/impersonations/redeem`, {
      method: 'POST',
      headers: { authorization: `Bearer ${scene.appToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: tokenOf(started.handoffUrl) }),
    })
    expect(res.status).toBe(200)
  }
  return ids
}

let server: RunningServer
let handle: DatabaseHandle
let page: Page

describe(`cluster settings in Chromium (${backend})`, () => {
  const story = useBrowserStory({ owner })
  beforeAll(() => void ({ server, handle, page } = story))
  beforeAll(async () => {
    smtp = await startSmtpCapture()
  })
  afterAll(async () => {
    await smtp?.close()
  })

  it('opens /settings and sees every section with its state', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click()
    await waitForPath(page, '/settings')
    await waitForText(page.locator('h1'), 'Settings')
    await waitForText(
      page.locator('[data-state-of="/settings/mail"]'),
      'Relay: none saved, mail stays in the development outbox',
    )
    await waitForText(page.locator('[data-state-of="/settings/keys"]'), /Signing key: created/)
    await story.checkAccessibility('settings index')
    await page.screenshot({ path: '/tmp/fleetdeck-settings.png', fullPage: true, caret: 'initial' })
  })

  it('saves a relay pointing at a local SMTP server and sends a test email that arrives', async () => {
    await page.getByRole('link', { name: 'Mail relay' }).click()
    await waitForPath(page, '/settings/mail')
    await story.checkAccessibility('mail relay, empty')
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1')
    await page.getByLabel('Port', { exact: true }).fill(String(smtp.port))
    await page.getByLabel('Connection security').selectOption('none')
    await page.getByLabel('Sender (From)').fill('Fleetdeck Ops <ops@fleet.example>')
    await page.getByRole('button', { name: 'Save the relay' }).click()
    await waitForText(
      page.locator('[role="status"]'),
      `Mail relay saved: every mail now goes through 127.0.0.1:${smtp.port}.`,
    )
    await story.checkAccessibility('mail relay, saved')

    expect(await page.getByLabel('Send to').inputValue()).toBe(owner.email)
    const arriving = smtp.next()
    await page.getByRole('button', { name: 'Send test email' }).click()
    await waitForText(page.locator('[role="status"]'), `Test email sent to ${owner.email}.`)
    const mail = await arriving
    expect(mail.headers.subject).toBe(TEST_MAIL_SUBJECT)
    expect(mail.headers.from).toBe('Fleetdeck Ops <ops@fleet.example>')
    expect(mail.headers.to).toBe(owner.email)
    expect(await page.locator('[role="status"]').innerText()).toContain(
      mail.headers['message-id'].replace(/[<>]/g, ''),
    )
    const audited = await handle.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'in', ['settings.mail_relay', 'settings.mail_test'])
      .orderBy('seq')
      .execute()
    expect(audited.map((a) => a.action)).toEqual(['settings.mail_relay', 'settings.mail_test'])
    await story.checkAccessibility('mail relay, after a test email')
    await page.screenshot({
      path: '/tmp/fleetdeck-settings-mail.png',
      fullPage: true,
      caret: 'initial',
    })
  })

  it('records a licence key and shows only its last four characters', async () => {
    await page.goto(`${server.baseUrl}/settings/licence`)
    await story.checkAccessibility('licence, none')
    await page.getByLabel('Licence key').fill('FD-LIC-2026-E2E-4242')
    await page.getByRole('button', { name: 'Save the key' }).click()
    await waitForText(page.locator('[role="status"]'), 'the key ending in …4242 is recorded')
    await waitForText(page.locator('#licence-state'), 'A key ending in …4242 is recorded.')
    expect(await page.content()).not.toContain('FD-LIC-2026-E2E')
    await story.checkAccessibility('licence, recorded')
  })

  it('rotates the signing key after seeing the impersonations and kit sessions it ends', async () => {
    const ids = await twoLiveImpersonations()
    const before = await handle.db
      .selectFrom('signing_keys')
      .select('kid')
      .where('retired_at', 'is', null)
      .executeTakeFirstOrThrow()

    await page.goto(`${server.baseUrl}/settings`)
    await page.getByRole('link', { name: 'Key rotation' }).click()
    await waitForPath(page, '/settings/keys')
    await waitForText(page.locator('#live-impersonations'), '2 active impersonations')
    await waitForText(page.locator('#live-kit-sessions'), '1 kit session')
    await story.checkAccessibility('key rotation')
    await page.screenshot({
      path: '/tmp/fleetdeck-settings-keys.png',
      fullPage: true,
      caret: 'initial',
    })
    await page.getByRole('button', { name: 'Rotate signing key' }).click()
    await waitForText(
      page.locator('[role="status"]'),
      'Signing key rotated: 2 active impersonations ended, 1 kit session among them.',
    )
    await waitForText(page.locator('#live-impersonations'), '0 active impersonations')

    const ended = await handle.db
      .selectFrom('impersonations')
      .select(['id', 'end_reason'])
      .where('id', 'in', ids)
      .execute()
    expect(ended.map((r) => r.end_reason)).toEqual(['ended', 'ended'])
    const jwks = await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()
    const kids = jwks.keys.map((k: { kid: string }) => k.kid)
    expect(kids).toHaveLength(2)
    expect(kids[1]).toBe(before.kid)
    await story.checkAccessibility('key rotation, after')
  })

  it('a second tab still showing the rotated key is told so, and rotates nothing', async () => {
    const activeKid = async () =>
      (
        await handle.db
          .selectFrom('signing_keys')
          .select('kid')
          .where('retired_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).kid
    const stale = await page.context().newPage()
    stale.on('console', (message) => {
      if (message.type() === 'error') story.consoleErrors.push(`${stale.url()}: ${message.text()}`)
    })
    stale.on('pageerror', (error) => story.consoleErrors.push(`${stale.url()}: ${error.message}`))
    try {
      await stale.goto(`${server.baseUrl}/settings/keys`)
      await page.goto(`${server.baseUrl}/settings/keys`)
      await page.getByRole('button', { name: 'Rotate signing key' }).click()
      await waitForText(page.locator('[role="status"]'), 'Signing key rotated')
      const rotated = await activeKid()

      await stale.getByRole('button', { name: 'Rotate signing key' }).click()

      await waitForText(
        stale.locator('[role="alert"]'),
        'The signing key was rotated meanwhile (another owner, or this form sent twice); this request changed nothing.',
      )
      expect(await activeKid()).toBe(rotated)
      expect(await stale.locator('#signing-key').innerText()).toContain(rotated)
      await story.checkAccessibility('key rotation, rotated meanwhile', stale)
    } finally {
      await stale.close()
    }
  })

  it('rotates the super-admin secret: signed out, told so on the sign-in page', async () => {
    await page.goto(`${server.baseUrl}/settings/keys`)
    await waitForText(page.locator('#secret-session-count'), '1 session')
    await page.getByRole('button', { name: 'Rotate super-admin secret' }).click()
    await waitForPath(page, '/login')
    // The message is a cookie signed with the new secret: it verifies, so it shows.
    await waitForText(
      page.locator('[role="status"]'),
      'Super-admin secret rotated: 1 session ended, yours included',
    )
    const sessions = await handle.db
      .selectFrom('super_admin_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(sessions.n)).toBe(0)
    await page.goto(`${server.baseUrl}/settings`)
    await waitForPath(page, '/login')
  })

  it('has no serious or critical accessibility violation and no console error', () => {
    story.expectAccessibleAndQuiet(9)
  })
})
