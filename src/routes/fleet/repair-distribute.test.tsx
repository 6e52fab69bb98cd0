import { beforeAll, describe, expect, it } from 'vitest'
import { storeFleetCheck } from '../../db/fleet-checks.js'
import type { OperatorRole } from '../../db/schema.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import { cookieOfRole, followWithFlash } from '../../test-support/plan-scenes.js'
import { send } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

/** The suite runs on a Citus coordinator too (TEST_CITUS_WORKERS): off-Citus answers differ there. */
const onCitus = !!process.env.TEST_CITUS_WORKERS

// "Distribute schema" on /fleet/schemas/:schema (issue 13 item 3), off Citus: offered only
// when the latest check found the schema local on a Citus coordinator, refused with its reason.

const t = useTestApp()
const cookies: Partial<Record<OperatorRole, string>> = {}

beforeAll(async () => {
  for (const role of ['operator', 'viewer'] as const)
    cookies[role] = await cookieOfRole(t.db, t.config, role, new Date(t.clock.now()))
})

/** A tenant whose stored result says its schema is local on the coordinator (as on Citus). */
async function tenantReportedLocal() {
  const tenant = await createTenant(t.db)
  const schema = tenantSchemaName(tenant.slug)
  const now = new Date(t.clock.now())
  await storeFleetCheck(t.db, {
    ...{ id: crypto.randomUUID(), runId: null, startedAt: now, finishedAt: now, durationMs: 1 },
    summary: { scope: 'tenant' },
    results: [{ schema, tenantId: tenant.id, health: 'drift', pending: [], findings: [LOCAL] }],
  })
  return { tenant, schema }
}
const LOCAL = { kind: 'schema_not_distributed' as const }

describe('Distribute schema off Citus', () => {
  it('the schema page offers it for a schema reported local, and names the finding', async () => {
    const { schema } = await tenantReportedLocal()
    const page = await send(t.app, 'GET', `/fleet/schemas/${schema}`, { cookie: cookies.operator })
    const html = await page.text()
    expect(html).toContain('schema is local on the Citus coordinator, not distributed')
    expect(html).toContain('Distribute schema')
  })

  it('is not offered for a schema no check reported local', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    const page = await send(t.app, 'GET', `/fleet/schemas/${schema}`, { cookie: cookies.operator })
    expect(await page.text()).not.toContain('Distribute schema')
  })

  it.skipIf(onCitus)(
    'refuses with "not running on Citus", audits nothing, and re-checks the schema',
    async () => {
      const { schema } = await tenantReportedLocal()
      const res = await send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
        fields: { repair: 'distribute' },
        cookie: cookies.operator,
      })
      expect(res.status).toBe(303)
      const html = await followWithFlash(t.app, res, cookies.operator!)
      expect(html).toContain('Distribute schema: refused — not running on Citus')
      expect(html).toContain('The schema is now healthy.')
      expect(await auditEntries(t.db, 'fleet.repair.distribute')).toEqual([])
    },
  )

  it('a viewer cannot ask for it: 403', async () => {
    const { schema } = await tenantReportedLocal()
    const res = await send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
      fields: { repair: 'distribute' },
      cookie: cookies.viewer,
    })
    expect(res.status).toBe(403)
  })
})
