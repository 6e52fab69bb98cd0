import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { auditEntries } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import {
  ADD_COLUMN_AND_INDEX,
  appliedIn,
  catalogSnapshot,
  tenantMigrationFolder,
} from '../../test-support/tenant-migrations.js'
import { useTestDatabase } from '../../test-support/test-app.js'
import { migrateCommand } from './migrate.js'

const t = useTestDatabase()
const folder = tenantMigrationFolder({ '2030010100_checksum': ADD_COLUMN_AND_INDEX })
afterAll(() => folder.remove())

/** Runs `fleet -- migrate <args>` in this process; its exit code and printed lines. */
async function migrate(...args: string[]) {
  const lines: string[] = []
  const cli = { config: folder.config, database: t.database, interactive: false }
  const code = await migrateCommand.run(args, { ...cli, out: (line) => lines.push(line) })
  return { code, text: lines.join('\n') }
}

describe('npm run fleet -- migrate', () => {
  it('--dry-run prints the SQL and the tenants, changes nothing and exits 0', async () => {
    for (const slug of ['cli-a', 'cli-b', 'cli-c']) await createTenant(t.db, { slug })
    const before = await catalogSnapshot(t.db)

    const { code, text } = await migrate('--dry-run')

    expect(code).toBe(0)
    expect(text).toContain('2030010100_checksum — 3 tenants')
    expect(text).toContain('alter table "tenant_<slug>"."attachments" add column "checksum" text;')
    expect(text).toContain('cli-b (active): 2030010100_checksum')
    expect(await catalogSnapshot(t.db)).toEqual(before)
  })

  it('exits 2 on a bad option or value, starting nothing', async () => {
    expect((await migrate('--canary', 'x')).code).toBe(2)
    expect((await migrate('--concurrency', '9')).code).toBe(2)
    expect((await migrate('--bogus')).code).toBe(2)
    expect(await t.db.selectFrom('job_runs').select('id').execute()).toEqual([])
  })

  it('a canary of one migrates it, audited via cli with no actor, and exits 0', async () => {
    const { code, text } = await migrate('--canary', '1')

    expect(code).toBe(0)
    expect(text).toMatch(/migrated\s+1/)
    expect(await appliedIn(t.db, 'tenant_cli_a')).toContain('2030010100_checksum')
    const [entry] = await auditEntries(t.db, 'tenant.migrate')
    expect(entry).toMatchObject({ actor_id: null, after: { via: 'cli' } })
  })

  it('the run exits 1 when a tenant fails, printing its error; the others are migrated', async () => {
    await sql`alter table tenant_cli_c.attachments add column checksum int`.execute(t.db)

    const { code, text } = await migrate('--concurrency', '2')

    expect(code).toBe(1)
    expect(text).toMatch(/FAILED cli-c\s+tenant tenant_cli_c migration 2030010100_checksum failed/)
    expect(await appliedIn(t.db, 'tenant_cli_b')).toContain('2030010100_checksum')
    expect(await migrate('--tenants', 'cli-b')).toMatchObject({ code: 2 })
  })
})
