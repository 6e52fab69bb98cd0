import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { testConfig, useTestDatabase } from '../../test-support/test-app.js'
import { HEALTH_TEST_DIRS, healthy, tenantWith } from '../health-check-fixtures.js'
import { command as checkCommand } from './check.js'
import { command as listCommand } from './list.js'

const t = useTestDatabase()
const config = testConfig({ TENANT_MIGRATION_DIRS: HEALTH_TEST_DIRS.join(',') })

/** Runs `fleet -- <command> <args>` in this process; its exit code and printed lines. */
async function fleet(command: typeof checkCommand, ...args: string[]) {
  const lines: string[] = []
  const cli = { config, database: t.database, interactive: false }
  const code = await command.run(args, { ...cli, out: (line) => lines.push(line) })
  return { code, lines }
}

describe('npm run fleet -- check', () => {
  it('exits 0 with a summary line on a healthy fleet, stored as a health_check run', async () => {
    await tenantWith(t.db, healthy)
    await tenantWith(t.db, healthy)

    const { code, lines } = await fleet(checkCommand)

    expect(code).toBe(0)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^2 schemas checked in \d+\.\d s: 2 healthy\.$/)
    const run = await t.db
      .selectFrom('job_runs')
      .innerJoin('fleet_checks', 'fleet_checks.run_id', 'job_runs.id')
      .select(['job_runs.kind', 'job_runs.status'])
      .executeTakeFirstOrThrow()
    expect(run).toEqual({ kind: 'health_check', status: 'completed' })
  })

  it('prints a table of unhealthy schemas, failures first, and exits 1', async () => {
    const drifted = await tenantWith(
      t.db,
      (s) => `alter table ${s}.roles drop constraint roles_name_key`,
    )
    await sql`create schema tenant_cli_orphan`.execute(t.db)

    const { code, lines } = await fleet(checkCommand)

    expect(code).toBe(1)
    expect(lines[0].split(/\s{2,}/)).toEqual(['schema', 'tenant', 'health', 'what is wrong'])
    expect(lines[2].split(/\s{2,}/)).toEqual([
      'tenant_cli_orphan',
      '(no tenant)',
      'orphan',
      '4 migrations pending',
    ])
    expect(lines[3].split(/\s{2,}/)).toEqual([
      drifted.schema,
      drifted.slug,
      'drift',
      'constraint roles_name_key on roles is missing',
    ])
    expect(lines.at(-1)).toMatch(/^4 schemas checked in .* s: 2 healthy, 1 orphan, 1 drift\.$/)
  })

  it('refuses arguments it does not take: exit 2', async () => {
    expect((await fleet(checkCommand, '--now')).code).toBe(2)
  })
})

describe('npm run fleet -- list', () => {
  it('prints every tenant schema with its latest health, orphans included; --health narrows', async () => {
    const fresh = await tenantWith(t.db, healthy)

    const all = await fleet(listCommand)
    const drift = await fleet(listCommand, '--health', 'drift')

    expect(all.code).toBe(0)
    const freshLine = all.lines.find((l) => l.startsWith(fresh.slug))
    expect(freshLine?.split(/\s{2,}/)).toEqual([fresh.slug, fresh.schema, 'active', 'not checked'])
    expect(all.lines.some((l) => /^\(no tenant\)\s+tenant_cli_orphan\s+orphan/.test(l))).toBe(true)
    expect(all.lines.at(-1)).toBe('5 schemas.')
    expect(drift.lines.slice(2, -1).map((l) => l.split(/\s{2,}/)[3])).toEqual(['drift'])
    expect(drift.lines.at(-1)).toBe('1 schema.')
  })

  it('refuses an unknown health: exit 2 and the usage', async () => {
    const { code, lines } = await fleet(listCommand, '--health', 'sick')
    expect(code).toBe(2)
    expect(lines[0]).toContain('usage: npm run fleet -- list')
  })
})
