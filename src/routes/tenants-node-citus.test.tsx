import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { openCitusTestDatabase } from '../db/test-database.js'
import { distributeTenantSchema, listCitusNodeNames } from '../fleet/citus.js'
import { refreshTenantStorage } from '../tenancy/storage.js'
import { createSuperAdmin, createTenant } from '../test-support/factories.js'
import { parseHtml, tableRows } from '../test-support/html.js'
import { getPage, signIn } from '../test-support/requests.js'
import { createClock, createTestAppWith, type TestApp } from '../test-support/test-app.js'

// On a real coordinator the tenants list finds the nodes itself: the Node column shows where a
// distributed tenant lives, and the filter offers every node (issue 13 item 5).

describe.skipIf(!process.env.TEST_CITUS_URL)('/tenants on Citus', () => {
  let database: DatabaseHandle
  let t: TestApp
  beforeAll(async () => {
    database = await openCitusTestDatabase()
    t = await createTestAppWith({}, { database, clock: createClock() })
  })
  afterAll(async () => {
    await database?.close()
  })

  it('shows the node of a distributed tenant and offers every node in the filter', async () => {
    const tenant = await createTenant(t.db, { name: 'Placed on a worker' })
    await distributeTenantSchema(t.db, tenantSchemaName(tenant.slug))
    await refreshTenantStorage(t.db, tenant.id, tenant.slug)
    const cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
    const html = await (await getPage(t.app, '/tenants?q=placed', cookie)).text()
    const [row] = tableRows(html, '#tenant-table table')
    const nodes = await listCitusNodeNames(t.db)
    expect(nodes).toHaveLength(2)
    expect(nodes).toContain(row!['Node'])
    const options = parseHtml(html).querySelectorAll('#tenant-node option')
    expect(options.map((o) => o.getAttribute('value'))).toEqual(['', ...nodes])
    const filtered = await getPage(t.app, `/tenants?q=placed&node=${row!['Node']}`, cookie)
    expect(tableRows(await filtered.text(), '#tenant-table table')).toHaveLength(1)
  })
})
