import { beforeAll, describe, expect, it } from 'vitest'
import type { OperatorRole } from '../../db/schema.js'
import { countRows } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import { fieldError } from '../../test-support/html.js'
import { cookieOfRole, followWithFlash } from '../../test-support/plan-scenes.js'
import { send } from '../../test-support/requests.js'
import { createTestAppWith, useTestApp, type TestApp } from '../../test-support/test-app.js'

/** The suite runs on a Citus coordinator too (TEST_CITUS_WORKERS): off-Citus answers differ there. */
const onCitus = !!process.env.TEST_CITUS_WORKERS

// /tenants/:id/placement (issue 13 item 5) on the test databases, which have no Citus: who may
// see and use it, step-up, the explanation and refusal off Citus, and bad input. The move on a
// real cluster: src/fleet/placement.citus.test.ts.

const t = useTestApp()
const cookies: Partial<Record<OperatorRole, string>> = {}
const moveRuns = () =>
  t.db.selectFrom('job_runs').select('id').where('kind', '=', 'tenant_move').execute()

beforeAll(async () => {
  for (const role of ['owner', 'admin', 'operator', 'viewer'] as const)
    cookies[role] = await cookieOfRole(t.db, t.config, role, new Date(t.clock.now()))
})

describe('the placement page (off Citus unless the suite runs on Citus)', () => {
  it.skipIf(onCitus)('explains there is a single server and offers no form', async () => {
    const tenant = await createTenant(t.db)
    const res = await send(t.app, 'GET', `/tenants/${tenant.id}/placement`, {
      cookie: cookies.admin,
    })
    const html = await res.text()
    expect(res.status).toBe(200)
    expect(html).toContain('Single server (no Citus)')
    expect(html).not.toContain('name="node"')
  })

  it('is for owners and admins: an operator or a viewer gets 403 and nothing starts', async () => {
    const tenant = await createTenant(t.db)
    for (const role of ['operator', 'viewer'] as const) {
      const path = `/tenants/${tenant.id}/placement`
      expect((await send(t.app, 'GET', path, { cookie: cookies[role] })).status).toBe(403)
      const fields = { node: '10.0.0.2:5432' }
      expect((await send(t.app, 'POST', path, { fields, cookie: cookies[role] })).status).toBe(403)
    }
    expect(await moveRuns()).toEqual([])
  })

  it('a move without a recent TOTP goes through step-up first and starts nothing', async () => {
    const tenant = await createTenant(t.db)
    const stale = await cookieOfRole(t.db, t.config, 'owner', new Date(t.clock.now() - 11 * 60_000))
    const res = await send(t.app, 'POST', `/tenants/${tenant.id}/placement`, {
      fields: { node: '10.0.0.2:5432' },
      cookie: stale,
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await moveRuns()).toEqual([])
  })

  it.skipIf(onCitus)('a move is refused with no_citus as a flash, writing nothing', async () => {
    const tenant = await createTenant(t.db)
    const audits = await countRows(t.db, 'audit_log')
    const res = await send(t.app, 'POST', `/tenants/${tenant.id}/placement`, {
      fields: { node: '10.0.0.2:5432' },
      cookie: cookies.owner,
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}/placement`)
    expect(await followWithFlash(t.app, res, cookies.owner!)).toContain(
      `${tenant.slug} was not moved: Fleetdeck is not running on Citus`,
    )
    expect(await countRows(t.db, 'audit_log')).toBe(audits)
    expect(await moveRuns()).toEqual([])
  })

  it('answers a node that is not host:port with 422 next to the field, a missing one with 400', async () => {
    const tenant = await createTenant(t.db)
    const audits = await countRows(t.db, 'audit_log')
    const path = `/tenants/${tenant.id}/placement`
    const bad = await send(t.app, 'POST', path, { fields: { node: 'x' }, cookie: cookies.owner })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Choose a node.')
    const missing = await send(t.app, 'POST', path, { fields: {}, cookie: cookies.owner })
    expect(missing.status).toBe(400)
    expect(await countRows(t.db, 'audit_log')).toBe(audits)
    expect(await moveRuns()).toEqual([])
  })
})

describe('the tenant page', () => {
  it.skipIf(onCitus)('has no Placement section off Citus', async () => {
    const tenant = await createTenant(t.db)
    const page = await send(t.app, 'GET', `/tenants/${tenant.id}`, { cookie: cookies.admin })
    expect(await page.text()).not.toContain('id="placement"')
  })

  describe.skipIf(onCitus)('with a handle that reports Citus', () => {
    let citusApp: TestApp
    beforeAll(async () => {
      const citus = { version: '13.2-1', schemaBasedSharding: false, nodes: 2 }
      citusApp = await createTestAppWith({}, { database: { ...t.database, citus }, clock: t.clock })
    })

    it('shows the node of the latest snapshot, and the move link to editors only', async () => {
      const tenant = await createTenant(t.db)
      await t.db
        .updateTable('storage_snapshots')
        .set({ node: '10.0.0.2:5432' })
        .where('tenant_id', '=', tenant.id)
        .execute()
      const path = `/tenants/${tenant.id}`
      const admin = await (await send(citusApp.app, 'GET', path, { cookie: cookies.admin })).text()
      expect(admin).toContain('Node: 10.0.0.2:5432')
      expect(admin).toContain(`href="/tenants/${tenant.id}/placement"`)
      const viewer = await (
        await send(citusApp.app, 'GET', path, { cookie: cookies.viewer })
      ).text()
      expect(viewer).toContain('Node: 10.0.0.2:5432')
      expect(viewer).not.toContain('Move to another node')
    })

    it('the placement page says the schema is local when Citus does not place it', async () => {
      const tenant = await createTenant(t.db)
      const path = `/tenants/${tenant.id}/placement`
      const html = await (await send(citusApp.app, 'GET', path, { cookie: cookies.owner })).text()
      expect(html).toContain('Citus 13.2-1, 2 nodes, schema-based sharding off')
      expect(html).toContain('local on the coordinator, not distributed')
      expect(html).not.toContain('name="node"')
    })

    it('a 422 for a malformed node is shown next to the select', async () => {
      const tenant = await createTenant(t.db)
      const res = await send(citusApp.app, 'POST', `/tenants/${tenant.id}/placement`, {
        fields: { node: 'nowhere' },
        cookie: cookies.owner,
      })
      expect(res.status).toBe(422)
      expect(await res.text()).toContain('Choose a node.')
    })
  })
})
