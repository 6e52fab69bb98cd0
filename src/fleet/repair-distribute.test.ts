import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { findingKey } from '../views/fleet/schema-page.js'
import { describeFinding, type SchemaFinding } from './findings.js'
import { checkTenantSchemas } from './health-check.js'
import { describeRepairRefusal, hasLossFreeRepair } from './repair-all.js'
import { distributeSchema } from './repair-distribute.js'
import { isRepairable } from './repair-schema.js'
import type { SchemaState } from './schema-state.js'

/** The suite runs on a Citus coordinator too (TEST_CITUS_WORKERS): off-Citus answers differ there. */
const onCitus = !!process.env.TEST_CITUS_WORKERS

// Fleet health's `schema_not_distributed` and its repair (issue 13 item 3), off Citus: CI has no
// Citus, so these show that nothing changes there. The Citus path: placement.citus.test.ts.

const t = useTestDatabase()
const context = { actor: null, requestId: 'test' }
const local: SchemaFinding = { kind: 'schema_not_distributed' }

describe('the finding', () => {
  it('says in words what is wrong and has a key of its own', () => {
    expect(describeFinding(local)).toBe('schema is local on the Citus coordinator, not distributed')
    expect(findingKey(local)).toBe('schema_not_distributed::')
  })

  it('is no DDL repair, but makes "repair everything" offer itself', () => {
    const tenant = { id: 'x', slug: 'x', status: 'active' } as SchemaState['tenant']
    const state = { exists: true, pending: [], rolesIncomplete: false, tenant, findings: [local] }
    expect(isRepairable(local)).toBe(false)
    expect(hasLossFreeRepair(state as unknown as SchemaState)).toBe(true)
    expect(hasLossFreeRepair({ ...state, findings: [] } as unknown as SchemaState)).toBe(false)
  })
})

describe.skipIf(onCitus)('off Citus', () => {
  it('a fleet health check never reports a schema as not distributed', async () => {
    const tenant = await createTenant(t.db)
    const { results } = await checkTenantSchemas(t.db, [])
    const result = results.get(tenantSchemaName(tenant.slug))!
    expect(result.health).toBe('healthy')
    expect(result.findings).toEqual([])
  })

  it('Distribute schema refuses no_citus, says why, and writes nothing', async () => {
    const tenant = await createTenant(t.db)
    const audits = await countRows(t.db, 'audit_log')

    const result = await distributeSchema(t.db, context, tenant.id)

    expect(result).toEqual({ ok: false, reason: 'no_citus' })
    expect(describeRepairRefusal(result as { reason: string })).toBe(
      'not running on Citus: there is nothing to distribute',
    )
    expect(await countRows(t.db, 'audit_log')).toBe(audits)
    expect(await auditEntries(t.db, 'fleet.repair.distribute')).toEqual([])
  })

  it('refuses an unknown tenant and a missing schema before asking for Citus', async () => {
    const tenant = await createTenant(t.db)
    await sql`drop schema ${sql.id(tenantSchemaName(tenant.slug))} cascade`.execute(t.db)
    expect(await distributeSchema(t.db, context, tenant.id)).toEqual({
      ok: false,
      reason: 'schema_missing',
    })
    expect(await distributeSchema(t.db, context, crypto.randomUUID())).toEqual({
      ok: false,
      reason: 'not_found',
    })
  })
})
