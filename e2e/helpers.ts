// Helpers for the browser story: a real server as a child process, a throwaway database,
// TOTP codes from oathtool, and polling waits (playwright-core ships no `expect`).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import pg from 'pg'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { loadConfig } from '../src/config.js'
import { openCliDatabase } from '../src/db/cli-database.js'
import type { DatabaseHandle } from '../src/db/database.js'
import { createCitusDatabase, dropCitusDatabase, parseCitusTestEnv } from '../src/db/test-citus.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** A TCP port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}

/** A fresh database on the server of `adminUrl`; `drop()` removes it even with open connections. */
export async function createTestDatabase(adminUrl: string) {
  const name = `fleetdeck_e2e_${randomBytes(6).toString('hex')}`
  // With TEST_CITUS_WORKERS the server is a Citus coordinator: the database on every node, Citus
  // set up in it before the app starts (issue 13 item 8, src/db/test-citus.ts).
  const citus = parseCitusTestEnv(process.env)
  if (citus) await createCitusDatabase(adminUrl, name, citus.workers)
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    if (!citus) await admin.query(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    /** Runs one query on the test database with a short-lived connection. */
    async query<R extends pg.QueryResultRow = any>(text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: url.toString() })
      await client.connect()
      try {
        return (await client.query<R>(text, values)).rows
      } finally {
        await client.end()
      }
    },
    async drop() {
      if (citus) return dropCitusDatabase(adminUrl, name, citus.workers)
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        await client.query(`drop database if exists "${name}" with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

export type RunningServer = {
  baseUrl: string
  setupLink: string
  dataDir: string
  output: () => string
  stop: () => Promise<void>
}

/**
 * Starts `tsx src/server.ts` on a free port with an empty data dir, waits for the one-time
 * setup link and the "listening" line. The server runs in its own process group so stopping
 * it also stops the node process tsx starts.
 */
export async function startServer(
  options: {
    databaseUrl?: string
    timeoutMs?: number
    port?: number
    env?: Record<string, string>
  } = {},
): Promise<RunningServer> {
  const port = options.port ?? (await freePort())
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-e2e-'))
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    // Nothing of the caller's Fleetdeck settings leaks into the server under test.
    if (
      /^(DATABASE_URL|TEST_DATABASE_URL|PUBLIC_URL|PORT|HOST|NODE_ENV|FLEETDECK_.*|SESSION_.*|STORAGE_.*)$/.test(
        key,
      )
    )
      continue
    env[key] = value
  }
  Object.assign(env, {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    FLEETDECK_DATA_DIR: dataDir,
  })
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl
  Object.assign(env, options.env)

  const child: ChildProcess = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let log = ''
  let exited = false
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => ((exited = true), resolve())),
  )
  child.stderr!.on('data', (chunk) => (log += chunk.toString()))

  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {}
      }, 5_000)
      await exit
      clearTimeout(timer)
    }
    rmSync(dataDir, { recursive: true, force: true })
  }

  try {
    const setupLink = await new Promise<string>((resolve, reject) => {
      let link: string | undefined
      const timer = setTimeout(
        () => reject(new Error(`server did not start in time:\n${log}`)),
        options.timeoutMs ?? 60_000,
      )
      const lines = createInterface({ input: child.stdout! })
      lines.on('line', (line) => {
        log += line + '\n'
        if (line.includes('/enrol/')) link = line.trim()
        if (line.includes('listening')) {
          clearTimeout(timer)
          if (link) resolve(link)
          else reject(new Error(`server printed no setup link:\n${log}`))
        }
      })
      void exit.then(() => {
        clearTimeout(timer)
        reject(new Error(`server exited before listening:\n${log}`))
      })
    })
    return { baseUrl: `http://127.0.0.1:${port}`, setupLink, dataDir, output: () => log, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

const TOTP_STEP_MS = 30_000

export const totpStep = (now = Date.now()) => Math.floor(now / TOTP_STEP_MS)

/** The current code for a base32 key, from oathtool (an independent implementation). */
export function totpCode(base32Key: string): { code: string; step: number } {
  const step = totpStep()
  const code = execFileSync('oathtool', ['--totp', '-b', base32Key], { encoding: 'utf8' }).trim()
  // A step boundary between the two clock reads would make `step` lie; ask again.
  if (totpStep() !== step) return totpCode(base32Key)
  return { code, step }
}

/** Each TOTP step is accepted once: wait until the clock has left `usedStep`. */
export async function waitForStepAfter(usedStep: number): Promise<void> {
  const wait = (usedStep + 1) * TOTP_STEP_MS - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 250))
}

/** Polls until the locator's text matches; fails with what it last saw. */
export async function waitForText(
  locator: Locator,
  expected: string | RegExp,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    try {
      last = (await locator.innerText({ timeout: 1_000 })).trim()
      if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last
    } catch (error) {
      last = `(${(error as Error).message.split('\n')[0]})`
    }
    if (Date.now() > deadline)
      throw new Error(`expected ${String(expected)} in ${locator}, last saw: ${last}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Waits for the URL's path (no origin, no query) to match. */
export async function waitForPath(
  page: Page,
  path: string | RegExp,
  timeoutMs = 15_000,
): Promise<void> {
  await page.waitForURL(
    (url) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname)),
    { timeout: timeoutMs },
  )
}

/** One accessibility rule broken on a page, as axe-core reports it. */
export type AxeViolation = { id: string; impact: string; help: string; targets: string[] }

/**
 * The serious and critical violations among axe's findings per page, one line each
 * (`page: impact rule (help) at targets`): what every browser story requires to be empty.
 */
export function graveViolations(findings: Map<string, AxeViolation[]>): string[] {
  return [...findings].flatMap(([name, violations]) =>
    violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${name}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(', ')}`),
  )
}

/**
 * Runs axe-core (WCAG 2 A and AA rules, plus best practices) on the page as it is now. axe is
 * injected through the DevTools protocol, which the page's strict CSP does not govern; the page
 * itself still loads no script but its own files.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const { source } = (await import('axe-core')).default
  await page.evaluate(source)
  const results = await page.evaluate(async () => {
    const axe = (window as any).axe
    const run = await axe.run(document, { resultTypes: ['violations'] })
    return run.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.map((n: any) => n.target.join(' ')),
    }))
  })
  return results as AxeViolation[]
}

/**
 * A Chromium page of 1280×900 with a 15 s default timeout, whose console errors and uncaught
 * page errors are collected in `errors` (the stories assert it stays empty).
 */
export async function openPage(errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  })
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`))
  return { browser, page }
}

/** The server's own database, opened as the CLIs open it (PGlite over loopback, or PostgreSQL). */
export async function openServerDatabase(
  server: RunningServer,
  database?: { url: string },
): Promise<DatabaseHandle> {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      FLEETDECK_DATA_DIR: server.dataDir,
      FLEETDECK_SECRET_KEY: 'x'.repeat(40),
      ...(database ? { DATABASE_URL: database.url } : {}),
    },
    () => {},
  )
  return (await openCliDatabase(config)).database
}

/**
 * The first owner through the server's one-time setup link and TOTP enrolment; ends on
 * /tenants. @returns the TOTP key (base32), for signing in again
 */
export async function setUpFirstOwner(
  page: Page,
  setupLink: string,
  owner: { email: string; name: string; password: string },
): Promise<string> {
  await page.goto(setupLink)
  await page.getByLabel('Email', { exact: true }).fill(owner.email)
  await page.getByLabel('Name', { exact: true }).fill(owner.name)
  await page.getByLabel('Password', { exact: true }).fill(owner.password)
  await page.getByLabel('Repeat password', { exact: true }).fill(owner.password)
  await page.getByRole('button', { name: 'Continue' }).click()
  await waitForPath(page, '/enrol/totp')
  const key = (await page.locator('#totp-key').innerText()).trim()
  await page.getByLabel('Code', { exact: true }).fill(totpCode(key).code)
  await page.getByRole('button', { name: /Confirm/ }).click()
  await waitForPath(page, '/tenants')
  return key
}

/** What a console browser story shares: see useBrowserStory. */
export type BrowserStory = {
  /** 'PostgreSQL' with TEST_DATABASE_URL, else 'embedded PGlite'. */
  readonly backend: string
  readonly server: RunningServer
  /** The server's own database, for factories (PGlite shared on loopback, or PostgreSQL). */
  readonly handle: DatabaseHandle
  readonly browser: Browser
  readonly page: Page
  /** Console errors and page errors seen on the story's page (push others' too). */
  readonly consoleErrors: string[]
  /** The first owner's TOTP key, once `owner` was set up in beforeAll. */
  readonly totpKey: string
  /** Runs axe-core on `on` (the story's page by default) and keeps its findings as `name`. */
  checkAccessibility(name: string, on?: Page): Promise<void>
  /**
   * The story's closing check: prints axe's findings per page, and expects `pages` pages
   * checked, none with a serious or critical violation, and no console error.
   */
  expectAccessibleAndQuiet(pages: number): void
}

/**
 * One browser story against the real server: registers the beforeAll that makes a database of
 * its own (PostgreSQL with TEST_DATABASE_URL), starts the server with `env`, opens its database
 * and a Chromium page, and sets up `owner` as the first owner when given; and the afterAll that
 * closes all of it. Values are read through getters once beforeAll has run.
 */
export function useBrowserStory(
  options: {
    env?: Record<string, string>
    owner?: { email: string; name: string; password: string }
  } = {},
): BrowserStory {
  const serverUrl = process.env.TEST_DATABASE_URL || undefined
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined
  let server: RunningServer | undefined
  let handle: DatabaseHandle | undefined
  let browser: Browser | undefined
  let page: Page | undefined
  let totpKey: string | undefined
  const consoleErrors: string[] = []
  const findings = new Map<string, AxeViolation[]>()
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useBrowserStory: no ${what} before beforeAll`)
    return value
  }
  const backend = serverUrl ? 'PostgreSQL' : 'embedded PGlite'

  beforeAll(async () => {
    if (serverUrl) database = await createTestDatabase(serverUrl)
    server = await startServer({ databaseUrl: database?.url, env: options.env })
    handle = await openServerDatabase(server, database)
    ;({ browser, page } = await openPage(consoleErrors))
    if (options.owner) totpKey = await setUpFirstOwner(page, server.setupLink, options.owner)
  })

  afterAll(async () => {
    await handle?.close()
    await browser?.close().catch(() => {})
    await server?.stop()
    await database?.drop()
  })

  return {
    backend,
    get server() {
      return ready(server, 'server')
    },
    get handle() {
      return ready(handle, 'database')
    },
    get browser() {
      return ready(browser, 'browser')
    },
    get page() {
      return ready(page, 'page')
    },
    consoleErrors,
    get totpKey() {
      return ready(totpKey, 'owner')
    },
    async checkAccessibility(name, on) {
      findings.set(name, await runAxe(on ?? ready(page, 'page')))
    },
    expectAccessibleAndQuiet(pages) {
      console.log(
        `axe-core (${backend}): ` +
          JSON.stringify([...findings].map(([name, v]) => [name, v.map((x) => x.id)])),
      )
      expect(findings.size).toBe(pages)
      expect(graveViolations(findings)).toEqual([])
      expect(consoleErrors).toEqual([])
    },
  }
}
