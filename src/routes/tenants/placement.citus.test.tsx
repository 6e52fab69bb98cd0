import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../db/database.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { openCitusTestDatabase } from '../../db/test-database.js'
import { distributeTenantSchema, listCitusNodes, measureCitusSchemas } from '../../fleet/citus.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import { fieldError } from '../../test-support/html.js'
import { cookieOfRole } from '../../test-support/plan-scenes.js'
import { send } from '../../test-support/requests.js'
import { createClock, createTestAppWith, type TestApp } from '../../test-support/test-app.js'

// /tenants/:id/placement on a real Citus coordinator with two workers (issue 13 item 5): the
// nodes, the move form, its 422s, and a move started. Only with TEST_CITUS_URL: CI has no Citus.

describe.skipIf(!process.env.TEST_CITUS_URL)('the placement page on a Citus cluster', () => {
  let handle: DatabaseHandle
  let t: TestApp
  let owner = ''

  beforeAll(async () => {
    handle = await openCitusTestDatabase()
    t = await createTestAppWith({}, { database: handle, clock: createClock() })
    owner = await cookieOfRole(t.db, t.config, 'owner', new Date(t.clock.now()))
  })
  afterAll(async () => {
    await handle?.close()
  })

  async function distributedTenant() {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    await distributeTenantSchema(t.db, schema)
    const from = (await measureCitusSchemas(t.db, [schema])).get(schema)!.node
    const other = (await listCitusNodes(t.db)).find((n) => n.node !== from)!.node
    return { tenant, from, other, path: `/tenants/${tenant.id}/placement` }
  }

  it('lists both workers and offers the other one', async () => {
    const { from, other, path } = await distributedTenant()
    const html = await (await send(t.app, 'GET', path, { cookie: owner })).text()
    expect(html).toContain(`${from} (this tenant)`)
    expect(html).toContain(`<option value="${other}"`)
    expect(html).not.toContain(`<option value="${from}"`)
  })

  it('refuses an unknown node and the node it is on with 422 next to the select', async () => {
    const { from, path } = await distributedTenant()
    const unknown = await send(t.app, 'POST', path, {
      fields: { node: '127.0.0.1:1' },
      cookie: owner,
    })
    expect(unknown.status).toBe(422)
    expect(fieldError(await unknown.text(), 'node')).toBe('Choose one of the nodes listed.')
    const same = await send(t.app, 'POST', path, { fields: { node: from }, cookie: owner })
    expect(same.status).toBe(422)
    expect(fieldError(await same.text(), 'node')).toBe(
      'The tenant is already on that node: choose another.',
    )
  })

  it('starts the move and sends the operator to its job run', async () => {
    const { tenant, from, other, path } = await distributedTenant()
    const res = await send(t.app, 'POST', path, { fields: { node: other }, cookie: owner })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/jobs\/[0-9a-f-]{36}$/)
    const [start] = (await auditEntries(t.db, 'tenant.move.start')).filter(
      (e) => e.tenant_id === tenant.id,
    )
    expect(start).toMatchObject({ before: { node: from }, after: { node: other } })
    const again = await send(t.app, 'POST', path, { fields: { node: other }, cookie: owner })
    expect(again.headers.get('location')).toBe(path)
  })
})
