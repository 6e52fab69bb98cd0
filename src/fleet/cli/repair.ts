import { createInterface } from 'node:readline/promises'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { repairLossFree } from '../repair-all.js'
import type { RepairContext } from '../repair-catalog.js'
import { isRepairable } from '../repair-schema.js'
import { isTenantSchemaName } from '../schema-names.js'
import { FLEET_CHECK_RUNNING } from '../reference-shapes.js'
import { checkSchemaNow, readSchemaState, type SchemaState } from '../schema-state.js'
import { describeFinding } from '../findings.js'
import type { FleetCli, FleetCommand } from './command.js'

// npm run fleet -- repair <slug|schema> [--yes] (issue 11 item 3; seed 000's
// fix_missing_tenant_databases.py recreate): every loss-free repair of one schema, audited with
// actor null and `via: 'cli'`. Orphans are adopted or dropped from the console only (/fleet/
// schemas/<schema>): dropping needs a typed name and step-up, which a terminal script cannot
// give the same guarantees.

const USAGE = 'repair <slug|schema> [--yes]  — do every loss-free repair of one tenant schema'
const SLUG = /^[a-z][a-z0-9-]{1,38}$/

/** The plan, one line per thing that will be tried. */
export function plannedRepairs(state: SchemaState): string[] {
  if (!state.tenant) return []
  if (state.tenant.status === 'deleted') return []
  if (!state.exists) return ['recreate the missing schema through the onboarding steps']
  const lines = state.pending.map((m) => `apply migration ${m}`)
  for (const f of state.findings)
    lines.push(
      `${isRepairable(f) ? 're-add where loss-free' : 'report only'}: ${describeFinding(f)}`,
    )
  if (state.rolesIncomplete) lines.push('re-seed roles')
  return lines
}

/** Rows as aligned columns under a header. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

async function confirmed(cli: FleetCli, yes: boolean): Promise<boolean> {
  if (yes) return true
  if (!cli.interactive) return false
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    return /^y(es)?$/i.test((await rl.question('Proceed? [y/N] ')).trim())
  } finally {
    rl.close()
  }
}

/** The schema a `repair` command line names, or undefined when it is not one we accept. */
export function parseRepairTarget(args: string[]): string | undefined {
  if (args.some((a) => a.startsWith('--') && a !== '--yes')) return undefined
  const target = args.find((a) => !a.startsWith('--')) ?? ''
  if (isTenantSchemaName(target)) return target
  return SLUG.test(target) ? tenantSchemaName(target) : undefined
}

/** Repairs what `plan` lists once confirmed, prints the table, re-checks: the exit code. */
async function repairConfirmed(cli: FleetCli, state: SchemaState, yes: boolean): Promise<number> {
  if (!(await confirmed(cli, yes))) {
    cli.out('Nothing done (add --yes to repair without asking).')
    return 2
  }
  const context: RepairContext = { actor: null, via: 'cli' }
  const { db } = cli.database
  const options = { migrationDirs: cli.config.tenantMigrationDirs }
  const outcomes = await repairLossFree(db, context, state, options)
  const rows = outcomes.map((o) => [o.finding, o.done ? 'done' : 'refused', o.message])
  for (const line of formatTable(['finding', 'result', 'detail'], rows)) cli.out(line)
  const after = waited(
    await checkSchemaNow(db, cli.config, state.schema, state.tenant, context, { wait: true }),
  )
  cli.out(`${state.schema} is now ${after?.health ?? 'not checked'}`)
  return after?.health === 'healthy' ? 0 : 1
}

export const repairCommand: FleetCommand = {
  name: 'repair',
  usage: USAGE,
  async run(args, cli) {
    const schema = parseRepairTarget(args)
    if (!schema) {
      cli.out(`usage: npm run fleet -- ${USAGE}`)
      return 2
    }
    const dirs = cli.config.tenantMigrationDirs
    const db = cli.database.db
    const before = await readSchemaState(db, schema, dirs)
    if (!before.tenant) {
      const gone = before.exists ? '' : ' and does not exist'
      cli.out(
        `${schema} is an orphan (no tenant owns it)${gone}: adopt or drop it at /fleet/schemas/${schema}`,
      )
      return 1
    }
    const checked = waited(
      await checkSchemaNow(db, cli.config, schema, before.tenant, undefined, { wait: true }),
    )
    const state = await readSchemaState(db, schema, dirs, checked)
    const plan = plannedRepairs(state)
    if (plan.length === 0) {
      const deleted = 'the tenant is deleted; restore it first'
      cli.out(`${schema}: ${checked ? `${checked.health}, nothing to repair` : deleted}`)
      return checked?.health === 'healthy' ? 0 : 1
    }
    cli.out(`${schema} (tenant ${before.tenant.slug}, ${before.tenant.status}) — will:`)
    for (const line of plan) cli.out(`  ${line}`)
    return repairConfirmed(cli, state, args.includes('--yes'))
  },
}

/** The CLI waits for a running fleet check, so its check always has a result. */
function waited<T>(result: T | typeof FLEET_CHECK_RUNNING): T | undefined {
  return result === FLEET_CHECK_RUNNING ? undefined : result
}
