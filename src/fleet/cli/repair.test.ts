import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { findTenantById } from '../../db/tenants.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import { testConfig, useTestDatabase } from '../../test-support/test-app.js'
import { schemaExists } from '../repair-catalog.js'
import { repairCommand } from './repair.js'

// npm run fleet -- repair (issue 11 item 3): exit 0 healthy or repaired, 1 still unhealthy,
// 2 usage or not confirmed; audited with actor null and via 'cli'.

const t = useTestDatabase()

async function run(...args: string[]) {
  const lines: string[] = []
  const cli = {
    config: testConfig(),
    database: t.database,
    out: (l: string) => void lines.push(l),
    interactive: false,
  }
  const code = await repairCommand.run(args, cli)
  return { code, output: lines.join('\n') }
}

describe('fleet repair', () => {
  it('recreates a missing schema by slug, prints a table and exits 0', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    await sql`drop schema ${sql.id(schema)} cascade`.execute(t.db)

    const { code, output } = await run(tenant.slug, '--yes')

    expect(code).toBe(0)
    expect(output).toContain('recreate the missing schema')
    expect(output).toMatch(/the schema is missing\s+done/)
    expect(output).toContain(`${schema} is now healthy`)
    expect((await findTenantById(t.db, tenant.id))?.health).toBe('healthy')
    expect(await schemaExists(t.db, schema)).toBe(true)
    const entry = (await auditEntries(t.db, 'fleet.repair.recreate_schema')).at(-1)!
    expect(entry.actor_id).toBeNull()
    expect(entry.after).toMatchObject({ via: 'cli', present: true })
  })

  it('does nothing without --yes when it cannot ask, and says so', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    await sql`drop schema ${sql.id(schema)} cascade`.execute(t.db)
    const { code, output } = await run(schema)
    expect(code).toBe(2)
    expect(output).toContain('Nothing done')
    expect(await schemaExists(t.db, schema)).toBe(false)
  })

  it('exits 0 with nothing to repair on a healthy tenant', async () => {
    const tenant = await createTenant(t.db)
    expect(await run(tenant.slug, '--yes')).toEqual({
      code: 0,
      output: `${tenantSchemaName(tenant.slug)}: healthy, nothing to repair`,
    })
  })

  it('repairs a dropped column but exits 1 while a changed type remains, refused', async () => {
    const tenant = await createTenant(t.db)
    const schema = tenantSchemaName(tenant.slug)
    await sql
      .raw(
        `alter table ${schema}.attachments drop column file_size;
      alter table ${schema}.attachments alter column file_name type varchar(50)`,
      )
      .execute(t.db)
    const { code, output } = await run(tenant.slug, '--yes')
    expect(code).toBe(1)
    expect(output).toMatch(/column attachments.file_size is missing\s+done/)
    expect(output).toMatch(/attachments.file_name is character varying\(50\).*refused/)
    expect(output).toContain('report only: column attachments.file_name is character varying(50)')
    expect(output).toContain(`${schema} is now drift`)
  })

  it('exits 1 on an orphan and sends the operator to the console', async () => {
    await sql`create schema tenant_cli_orphan`.execute(t.db)
    const { code, output } = await run('tenant_cli_orphan', '--yes')
    expect(code).toBe(1)
    expect(output).toContain('/fleet/schemas/tenant_cli_orphan')
    expect(await schemaExists(t.db, 'tenant_cli_orphan')).toBe(true)
  })

  it('exits 2 on a malformed target', async () => {
    expect((await run('Robert"); drop', '--yes')).code).toBe(2)
    expect((await run('acme', '--force')).code).toBe(2)
  })
})
