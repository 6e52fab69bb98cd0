import type { KyselyPlugin } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../app.js'
import { addMembership, createTenant, createUser } from '../test-support/factories.js'
import { signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Issue 7 item 7: no query per row. The /users page costs a fixed number of statements however
// many rows it shows and however many memberships they have: the session, the page, the planner's
// estimate, the page's memberships (one query) and, when needed, the capped count.

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

async function statementsFor(path: string): Promise<number> {
  await app.request(path, { headers: { cookie } })
  statements.length = 0
  const res = await app.request(path, { headers: { cookie } })
  expect(res.status).toBe(200)
  return statements.length
}

describe('/users', () => {
  it('runs at most five statements, as many for 60 matches with memberships as for 120', async () => {
    const tenants = [await createTenant(t.db), await createTenant(t.db)]
    const one = await createUser(t.db, { name: 'cost-one' })
    await addMembership(t.db, one, tenants[0])
    // Session, page, estimate, memberships: a page that holds every match needs no count.
    expect(await statementsFor('/users?q=cost-one')).toBe(4)

    const addUsers = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const u = await createUser(t.db, { name: `cost-many ${i}` })
        for (const tenant of tenants) await addMembership(t.db, u, tenant)
      }
    }
    await addUsers(60)
    const sixty = await statementsFor('/users?q=cost-many')
    await addUsers(60)
    const hundredTwenty = await statementsFor('/users?q=cost-many')

    expect(sixty).toBe(5)
    expect(hundredTwenty).toBe(sixty)
  })
})
