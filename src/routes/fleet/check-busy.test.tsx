import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/database.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { findTenantById } from '../../db/tenants.js'
import { FLEET_CHECK_RUNNING_TEXT } from '../../fleet/reference-shapes.js'
import { readColumn } from '../../fleet/repair-catalog.js'
import { checkSchemaNow } from '../../fleet/schema-state.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import { cookieOfRole, followWithFlash } from '../../test-support/plan-scenes.js'
import { send } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

// While a fleet check holds the health checks' lock, a request's one-schema check does not wait
// for it (review finding 5 of issue 11). Only on PostgreSQL: on PGlite one session holds every
// lock, so there is no other check to wait for.

const t = useTestApp()
let operator = ''
beforeAll(async () => {
  operator = await cookieOfRole(t.db, t.config, 'operator', new Date(t.clock.now()))
})

/** Runs `work` while another connection holds the lock, as a running fleet check does. */
function whileFleetCheckRuns<T>(work: () => Promise<T>): Promise<T> {
  return t.db.connection().execute(async (conn: Db) => {
    await sql`select pg_advisory_lock(hashtext('fleetdeck.health_check'))`.execute(conn)
    try {
      return await work()
    } finally {
      await sql`select pg_advisory_unlock(hashtext('fleetdeck.health_check'))`.execute(conn)
    }
  })
}

describe.runIf(process.env.TEST_DATABASE_URL)('one-schema checks during a fleet check', () => {
  it('a repair still succeeds and says the fleet check will bring the result', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    await sql.raw(`alter table ${schema}.attachments drop column file_size`).execute(t.db)
    await checkSchemaNow(t.db, t.config, schema, tenant)

    const res = await whileFleetCheckRuns(() =>
      send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
        fields: { repair: 'finding', finding: 'missing_column:attachments:file_size' },
        cookie: operator,
      }),
    )

    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, operator)).toContain(
      FLEET_CHECK_RUNNING_TEXT.replace("'", '&#39;'),
    )
    expect(await readColumn(t.db, schema, 'attachments', 'file_size')).toBeDefined()
    expect((await findTenantById(t.db, tenant.id))?.health).toBe('drift')
  })

  it('"Check now" returns at once with a flash and checks nothing', async () => {
    const tenant = await createTenant(t.db)
    const checks = (await auditEntries(t.db, 'tenant.health_check')).length

    const res = await whileFleetCheckRuns(() =>
      send(t.app, 'POST', '/fleet/checks', { fields: { tenant_id: tenant.id }, cookie: operator }),
    )

    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, operator)).toContain(
      FLEET_CHECK_RUNNING_TEXT.replace("'", '&#39;'),
    )
    expect((await auditEntries(t.db, 'tenant.health_check')).length).toBe(checks)
  })
})
