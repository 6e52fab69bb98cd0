import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../../db/tenant-backups.js'
import { createTenant } from '../../test-support/factories.js'
import { tempBackupDir } from '../../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../../test-support/test-app.js'
import { backupCommand } from './backup.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })

function cli() {
  const lines: string[] = []
  return {
    lines,
    cli: {
      config,
      database: t.database,
      out: (l: string) => void lines.push(l),
      interactive: false,
    },
  }
}

describe('npm run fleet -- backup', () => {
  it('backs up one tenant by slug and prints where the file is', async () => {
    const tenant = await createTenant(t.db)
    const { lines, cli: c } = cli()

    const code = await backupCommand.run([tenant.slug], c)

    expect(code).toBe(0)
    const [backup] = await listTenantBackups(t.db, tenant.id)
    expect(lines.join('\n')).toContain(backup.fileName)
  })

  it('--all backs up every tenant through a job run and exits 0', async () => {
    const tenants = [await createTenant(t.db), await createTenant(t.db)]
    const { lines, cli: c } = cli()

    const code = await backupCommand.run(['--all'], c)

    expect(code).toBe(0)
    for (const tenant of tenants)
      expect(await listTenantBackups(t.db, tenant.id)).not.toHaveLength(0)
    expect(lines.at(-1)).toContain('run completed')
  })

  it('exits 2 with usage for no argument or an unknown slug', async () => {
    const { lines, cli: c } = cli()

    expect(await backupCommand.run([], c)).toBe(2)
    expect(await backupCommand.run(['no-such-tenant'], c)).toBe(2)
    expect(lines).toContain('no tenant no-such-tenant')
  })
})
