import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { readColumn } from '../../fleet/repair-catalog.js'
import { repairDrift } from '../../fleet/repair-schema.js'
import { checkSchemaNow, readSchemaState } from '../../fleet/schema-state.js'
import { countRows } from '../../test-support/database-state.js'
import { deleteTestTenant } from '../../test-support/deletion.js'
import { createTenant } from '../../test-support/factories.js'
import { cookieOfRole } from '../../test-support/plan-scenes.js'
import { send } from '../../test-support/requests.js'
import { tempBackupDir } from '../../test-support/schema-rows.js'
import { useTestApp } from '../../test-support/test-app.js'

// A deleted tenant's schema is left for restore: repairing one finding from a result stored
// before the deletion is refused, like every other repair verb (review finding 2, issue 11).

const t = useTestApp({ BACKUP_DIR: tempBackupDir() })
let operator = ''
beforeAll(async () => {
  operator = await cookieOfRole(t.db, t.config, 'operator', new Date(t.clock.now()))
})

/** A tenant whose attachments.file_size was dropped and checked, then deleted. */
async function deletedDriftedTenant() {
  const tenant = await createTenant(t.db)
  const schema = tenantSchemaName(tenant.slug)
  await sql.raw(`alter table ${schema}.attachments drop column file_size`).execute(t.db)
  await checkSchemaNow(t.db, t.config, schema, tenant)
  await deleteTestTenant(t.database, tenant.id, { config: t.config })
  return { tenant, schema }
}

describe('repairing a finding of a deleted tenant', () => {
  it('the route refuses with 422 and a message, runs no DDL and audits nothing', async () => {
    const { schema } = await deletedDriftedTenant()
    const audits = await countRows(t.db, 'audit_log')

    const res = await send(t.app, 'POST', `/fleet/schemas/${schema}/repairs`, {
      fields: { repair: 'finding', finding: 'missing_column:attachments:file_size' },
      cookie: operator,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('The tenant is deleted: restore it first.')
    expect(await readColumn(t.db, schema, 'attachments', 'file_size')).toBeUndefined()
    expect(await countRows(t.db, 'audit_log')).toBe(audits)
  })

  it('the domain verb refuses every finding and changes nothing', async () => {
    const { tenant, schema } = await deletedDriftedTenant()
    const { findings } = await readSchemaState(t.db, schema, t.config.tenantMigrationDirs)
    expect(findings).toHaveLength(1)
    const audits = await countRows(t.db, 'audit_log')

    const outcomes = await repairDrift(
      t.db,
      { actor: null },
      { schema, tenantId: tenant.id },
      findings,
      t.config.tenantMigrationDirs,
    )

    expect(outcomes).toEqual([
      expect.objectContaining({ done: false, message: 'the tenant is deleted: restore it first' }),
    ])
    expect(await readColumn(t.db, schema, 'attachments', 'file_size')).toBeUndefined()
    expect(await countRows(t.db, 'audit_log')).toBe(audits)
  })
})
