import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { openCitusTestDatabase } from '../db/test-database.js'
import { distributeTenantSchema, listCitusNodes } from '../fleet/citus.js'
import { createSuperAdmin, createTenant } from '../test-support/factories.js'
import { linkHrefs, rowCells, textOf } from '../test-support/html.js'
import { getPage, signIn } from '../test-support/requests.js'
import {
  createClock,
  createTestAppWith,
  useTestApp,
  type TestApp,
} from '../test-support/test-app.js'
import { POLL_HEADER } from '../web/guards.js'

// /system's Citus section (issue 13 item 1): one line off Citus; on a coordinator the version,
// the sharding setting, each node with its tenant bytes and schemas, and the local schemas.

describe.skipIf(!!process.env.TEST_CITUS_WORKERS)('/system without Citus', () => {
  const t = useTestApp()

  it('says in one line that Fleetdeck is not running on Citus', async () => {
    const { cookie } = await t.signedInOwner()
    const html = await (await getPage(t.app, '/system', cookie)).text()
    const kind = t.database.kind === 'pglite' ? 'embedded database' : 'plain PostgreSQL'
    expect(textOf(html, '#citus-off')).toBe(`Not running on Citus (${kind}).`)
    expect(textOf(html, '#citus-summary')).toBeUndefined()
  })

  it('leaves the Citus section out of the poll', async () => {
    const { cookie } = await t.signedInOwner()
    const headers = { 'HX-Request': 'true', [POLL_HEADER]: '1' }
    const html = await (await getPage(t.app, '/system', cookie, headers)).text()
    expect(textOf(html, '#health-panel')).toBeDefined()
    expect(textOf(html, '#citus')).toBeUndefined()
  })
})

describe.skipIf(!process.env.TEST_CITUS_URL)('/system on Citus', () => {
  let database: DatabaseHandle
  let t: TestApp
  beforeAll(async () => {
    database = await openCitusTestDatabase()
    t = await createTestAppWith({}, { database, clock: createClock() })
  })
  afterAll(async () => {
    await database?.close()
  })

  it('shows the version, each node with its tenant bytes and schemas, and the local schemas', async () => {
    // Onboarding distributes every tenant schema on Citus; the local one this page must count is
    // made local on purpose, as a tenant left behind by an older release or a failed step.
    const placed = await createTenant(t.db)
    const local = await createTenant(t.db)
    expect(await distributeTenantSchema(t.db, tenantSchemaName(placed.slug))).toBe('already')
    await sql`select citus_schema_undistribute(${tenantSchemaName(local.slug)}::regnamespace)`.execute(
      t.db,
    )
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    const html = await (await getPage(t.app, '/system', cookie)).text()
    expect(textOf(html, '#citus-summary')).toContain(`Citus ${database.citus!.version}`)
    const nodes = await listCitusNodes(t.db)
    expect(nodes).toHaveLength(2)
    const holder = nodes.find((n) => n.schemas === 1)!
    const rowId = `citus-node-${holder.host.replace(/[^a-z0-9]+/gi, '-')}-${holder.port}`
    expect(rowCells(html, rowId)[0]).toBe(holder.node)
    expect(rowCells(html, rowId)[2]).toBe('1')
    expect(textOf(html, '#citus-local')).toContain('1 tenant schema is left local')
    expect(linkHrefs(html, 'repair them from fleet health')).toEqual(['/fleet'])
  })
})
