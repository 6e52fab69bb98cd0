import type { KyselyPlugin } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../app.js'
import { setGlobalAllowlist, SETTINGS_TTL_MS } from '../db/settings.js'
import { createFlag, type TestAdmin } from '../test-support/factories.js'
import { signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Issue 6 item 19: what one console request costs the database. The session is written at most
// once a minute (never by polling), the global allowlist comes from memory, and /tenants runs a
// fixed, small number of statements.

const IP = '203.0.113.7'

const t = useTestApp()
let app: App
let owner: TestAdmin
const statements: string[] = []

/**
 * Records every statement the app executes (raw SQL included). Kysely also runs transformQuery
 * over subqueries as they are built, so a statement counts when its result comes back.
 */
const kinds = new WeakMap<object, string>()
const recorder: KyselyPlugin = {
  transformQuery(args) {
    kinds.set(args.queryId, args.node.kind)
    return args.node
  },
  transformResult: async (args) => {
    statements.push(kinds.get(args.queryId) ?? 'unknown')
    return args.result
  },
}

beforeAll(async () => {
  const db = t.db.withPlugin(recorder)
  app = createApp({ config: t.config, database: { ...t.database, db }, now: t.clock.now })
  owner = await t.owner()
})

function get(path: string, cookie: string, headers: Record<string, string> = {}) {
  return app.request(
    path,
    { headers: { cookie, ...headers } },
    { incoming: { socket: { remoteAddress: IP } } },
  )
}

async function lastActiveAt(cookie: string): Promise<number> {
  const id = cookie.split('=')[1].split('.')[0]
  const row = await t.db
    .selectFrom('super_admin_sessions')
    .select('last_active_at')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  return row.last_active_at.getTime()
}

describe('session activity', () => {
  it('a request within a minute of the last write writes nothing; one after it moves last_active_at', async () => {
    const cookie = await signIn(app, owner, t.clock)
    const signedInAt = await lastActiveAt(cookie)

    t.clock.advance(59_000)
    statements.length = 0
    expect((await get('/tenants', cookie)).status).toBe(200)
    expect(statements).not.toContain('UpdateQueryNode')
    expect(await lastActiveAt(cookie)).toBe(signedInAt)

    t.clock.advance(2_000)
    statements.length = 0
    expect((await get('/tenants', cookie)).status).toBe(200)
    expect(statements.filter((k) => k === 'UpdateQueryNode')).toHaveLength(1)
    expect(await lastActiveAt(cookie)).toBe(t.clock.now())
  })

  it('background polling never writes, however long since the last write', async () => {
    const cookie = await signIn(app, owner, t.clock)
    const signedInAt = await lastActiveAt(cookie)

    for (const minutes of [2, 10, 25]) {
      t.clock.set(signedInAt + minutes * 60_000)
      statements.length = 0
      const res = await get('/tenants', cookie, { 'x-fleetdeck-poll': '1', 'hx-request': 'true' })
      expect(res.status).toBe(200)
      expect(statements).not.toContain('UpdateQueryNode')
    }
    expect(await lastActiveAt(cookie)).toBe(signedInAt)
  })
})

describe('/tenants', () => {
  it('costs three statements: the session with its operator, the page, the counts', async () => {
    const cookie = await signIn(app, owner, t.clock)
    await get('/tenants', cookie)

    statements.length = 0
    const res = await get('/tenants?q=acme&status=active', cookie)

    expect(res.status).toBe(200)
    expect(statements).toEqual(['SelectQueryNode', 'SelectQueryNode', 'SelectQueryNode'])
  })

  it('a flag-state filter adds two statements (the flag and its plan values), evaluated in SQL', async () => {
    const cookie = await signIn(app, owner, t.clock)
    const flag = await createFlag(t.db)
    await get('/tenants', cookie)

    statements.length = 0
    const res = await get(`/tenants?flag=${flag.key}&flag_state=off`, cookie)

    expect(res.status).toBe(200)
    expect(statements).toHaveLength(5)
  })
})

describe('the global allowlist in memory', () => {
  let cookie: string

  beforeAll(async () => {
    cookie = await signIn(app, owner, t.clock)
  })

  it('is read once per time-to-live, not per request', async () => {
    t.clock.advance(SETTINGS_TTL_MS)
    await get('/tenants', cookie)
    statements.length = 0
    await get('/tenants', cookie)
    await get('/tenants', cookie)

    expect(statements).toHaveLength(6)
  })

  it('a change saved by another instance applies here within the time-to-live', async () => {
    t.clock.advance(SETTINGS_TTL_MS)
    expect((await get('/tenants', cookie)).status).toBe(200)
    // Another instance saves a list without this address: a row in the database, and nothing
    // this process was told about.
    await t.db
      .insertInto('settings')
      .values({
        key: 'ip_allowlist',
        value: JSON.stringify(['198.51.100.0/24']),
        updated_at: new Date(),
      })
      .execute()

    t.clock.advance(SETTINGS_TTL_MS - 1_000)
    expect((await get('/tenants', cookie)).status).toBe(200)
    t.clock.advance(1_000)
    expect((await get('/tenants', cookie)).status).toBe(403)

    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, [], owner.admin.id, new Date()))
    expect((await get('/tenants', cookie)).status).toBe(200)
  })
})
