import type { KyselyPlugin } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../app.js'
import { takeKpiSnapshot } from '../dashboard/snapshot.js'
import { addMembership, createTenant, createUser } from '../test-support/factories.js'
import { signIn } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// Issue 10 item 2: no per-tenant fan-out. The dashboard costs the same statements for one tenant
// as for many: the session, the live KPIs (one statement), the stored days (one statement) and
// revenue today (one statement, issue 12); with a tenant picked, one more for the scope's tenant
// lookup.

const t = useTestApp()
let app: App
let cookie: string
const statements: string[] = []

const recorder: KyselyPlugin = {
  transformQuery: (args) => args.node,
  transformResult: async (args) => {
    statements.push(String(args.queryId.queryId))
    return args.result
  },
}

beforeAll(async () => {
  const db = t.db.withPlugin(recorder)
  app = createApp({ config: t.config, database: { ...t.database, db }, now: t.clock.now })
  cookie = await signIn(app, await t.owner(), t.clock)
})

async function statementsFor(headers: { cookie: string }): Promise<number> {
  await app.request('/', { headers })
  statements.length = 0
  const res = await app.request('/', { headers })
  expect(res.status).toBe(200)
  return statements.length
}

async function growFleet(tenants: number) {
  for (let i = 0; i < tenants; i++) {
    const tenant = await createTenant(t.db)
    for (let j = 0; j < 3; j++) await addMembership(t.db, await createUser(t.db), tenant)
  }
  await takeKpiSnapshot(t.db)
}

describe('/', () => {
  it('runs four statements for the fleet and five for one tenant, however many tenants', async () => {
    await growFleet(1)
    const first = (await t.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id
    const scope = await signedScopeCookie(t.config, { mode: 'customer', tenant: first, recent: [] })
    const scoped = { cookie: `${cookie}; ${scope}` }
    expect(await statementsFor({ cookie })).toBe(4)
    expect(await statementsFor(scoped)).toBe(5)

    await growFleet(3)
    expect(await statementsFor({ cookie })).toBe(4)
    expect(await statementsFor(scoped)).toBe(5)
  })
})
