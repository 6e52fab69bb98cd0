import { afterAll, beforeAll } from 'vitest'
import { createApp, type App } from '../app.js'
import { loadConfig, type Config } from '../config.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import { openTestDatabase } from '../db/test-database.js'
import { createSuperAdmin, type TestAdmin } from './factories.js'
import { signIn } from './requests.js'

// The app under test: one migrated database per test file (PGlite in memory, or a fresh database
// on TEST_DATABASE_URL), the whole app on top of it, and a clock the test moves. Most files need
// only `useTestApp()`; `createTestApp*` stay for tests that manage the lifetime themselves.

/** A clock the app reads instead of Date.now(), in milliseconds since the epoch. */
export type TestClock = {
  now(): number
  advance(ms: number): void
  set(ms: number): void
}

export type TestApp = {
  app: App
  db: Db
  database: DatabaseHandle
  config: Config
  clock: TestClock
  close(): Promise<void>
}

/** What `useTestApp()` gives a test file: the app, its database, config and clock, and an owner. */
export type TestContext = Omit<TestApp, 'close'> & {
  /** An active, enrolled owner, created on first call and the same one afterwards. */
  owner(): Promise<TestAdmin>
  /** `owner()` and a full-session cookie of theirs, signed in on first call and reused afterwards. */
  signedInOwner(): Promise<{ owner: TestAdmin; cookie: string }>
}

export function createClock(start = Date.now()): TestClock {
  let nowMs = start
  return {
    now: () => nowMs,
    advance: (ms) => void (nowMs += ms),
    set: (ms) => void (nowMs = ms),
  }
}

/** The configuration every test app starts from, with environment `overrides` for loadConfig. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(
    {
      FLEETDECK_SECRET_KEY: 'x'.repeat(40),
      NODE_ENV: 'test',
      FLEETDECK_DATA_DIR: '/tmp/unused',
      // Tests log nothing unless one asks: a test of the log injects a logger of its own.
      LOG_LEVEL: 'silent',
      ...overrides,
    },
    () => {},
  )
}

/** A migrated database of its own and the whole app on top of it, with a clock tests move. */
export function createTestApp(): Promise<TestApp> {
  return createTestAppWith({})
}

/**
 * The app with environment overrides for loadConfig (`TRUST_PROXY`, `PUBLIC_URL`, …). With
 * `on`, it shares that app's database and clock (and `close()` leaves them open); otherwise it
 * opens a database of its own like `createTestApp`.
 */
export async function createTestAppWith(
  overrides: Record<string, string>,
  on?: Pick<TestApp, 'database' | 'clock'>,
): Promise<TestApp> {
  const database = on?.database ?? (await openTestDatabase())
  const config = testConfig(overrides)
  const clock = on?.clock ?? createClock()
  const app = createApp({ config, database, now: clock.now })
  const close = on ? async () => {} : () => database.close()
  return { app, db: database.db, database, config, clock, close }
}

/**
 * The test context of a file (or of the `describe` it is called in), after Kysely's
 * example/test/test-context.ts: registers `beforeAll` to open the app and `afterAll` to close it,
 * and returns an object whose fields read the open app. `env` overrides the configuration as in
 * `createTestAppWith`. Reading a field outside a test or hook throws.
 */
export function useTestApp(env: Record<string, string> = {}): TestContext {
  let current: TestApp | undefined
  let owner: Promise<TestAdmin> | undefined
  let signedIn: Promise<{ owner: TestAdmin; cookie: string }> | undefined
  const open = (): TestApp => {
    if (!current) throw new Error('useTestApp: the app opens in beforeAll; read it inside a test')
    return current
  }
  beforeAll(async () => {
    current = await createTestAppWith(env)
  })
  afterAll(async () => {
    await current?.close()
    current = owner = signedIn = undefined
  })
  const context: TestContext = {
    get app() {
      return open().app
    },
    get db() {
      return open().db
    },
    get database() {
      return open().database
    },
    get config() {
      return open().config
    },
    get clock() {
      return open().clock
    },
    owner: () => (owner ??= createSuperAdmin(open().db, open().config, { role: 'owner' })),
    signedInOwner: () =>
      (signedIn ??= context.owner().then(async (who) => ({
        owner: who,
        cookie: await signIn(open().app, who, open().clock),
      }))),
  }
  return context
}

/** What `useTestDatabase()` gives a test file of database functions: the handle and its db. */
export type TestDatabase = { readonly db: Db; readonly database: DatabaseHandle }

/**
 * `useTestApp()` without the app, for tests of src/db, src/auth and domain modules: a migrated
 * database of the file's own, opened in beforeAll and closed (dropped on PostgreSQL) in afterAll.
 */
export function useTestDatabase(): TestDatabase {
  let current: DatabaseHandle | undefined
  const open = (): DatabaseHandle => {
    if (!current) throw new Error('useTestDatabase: the database opens in beforeAll')
    return current
  }
  beforeAll(async () => {
    current = await openTestDatabase()
  })
  afterAll(async () => {
    await current?.close()
    current = undefined
  })
  return {
    get db() {
      return open().db
    },
    get database() {
      return open()
    },
  }
}
