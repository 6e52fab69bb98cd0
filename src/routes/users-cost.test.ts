import type { KyselyPlugin } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp, type App } from '../app.js'
import { addMembership, createTenant, createUser } from '../test-support/factories.js'
import { signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Issue 7 item 7: no query per row. The /users page costs the same number of statements for 1
// row or 50, each with memberships: the session, the page, the page's memberships (one query),
// the capped count.

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
  it('runs the same small number of statements for one row as for fifty, memberships included', async () => {
    const tenants = [await createTenant(t.db), await createTenant(t.db)]
    const one = await createUser(t.db, { name: 'cost-one' })
    await addMembership(t.db, one, tenants[0])
    const few = await statementsFor('/users?q=cost-one')

    for (let i = 0; i < 60; i++) {
      const u = await createUser(t.db, { name: `cost-many ${i}` })
      for (const tenant of tenants) await addMembership(t.db, u, tenant)
    }
    const many = await statementsFor('/users?q=cost-many')

    expect(few).toBe(many)
    expect(many).toBe(4)
  })
})
