import { parseArgs } from 'node:util'
import { findJobRun, type JobRun } from '../../db/job-runs.js'
import { drainJobRun } from '../../jobs/runner.js'
import { buildPendingReport } from '../fleet-migrations.js'
import { dryRunMigrations } from '../migration-dry-run.js'
import { readMigrationFields } from '../migration-form.js'
import { startMigrationRun } from '../migration-runs.js'
import type { FleetCli, FleetCommand } from './command.js'
import { printDryRun, printSummary, progressReporter } from './migrate-output.js'

// npm run fleet -- migrate (issue 11 item 4): the dry-run report, or a canary or full run
// started here (no actor; `via: 'cli'` in each tenant's audit entry) and driven in this process.
// Killed halfway, the run stays resumable: the server's runner or `--resume <run id>` goes on.

const USAGE =
  'migrate [--dry-run] [--canary N | --tenants a,b] [--concurrency N] [--stop-after K] [--resume RUN]' +
  '  — apply pending tenant migrations across the fleet'

const OPTIONS = {
  'dry-run': { type: 'boolean' },
  canary: { type: 'string' },
  tenants: { type: 'string' },
  concurrency: { type: 'string', default: '1' },
  'stop-after': { type: 'string', default: '' },
  resume: { type: 'string' },
} as const

function usage(problem: string): number {
  console.error(`${problem}\nusage: npm run fleet -- ${USAGE}`)
  return 2
}

/** Drives `run` to its end here, then prints the summary. 1 when any tenant failed. */
async function drive(cli: FleetCli, run: JobRun): Promise<number> {
  cli.out(`Run ${run.id}: ${run.label} (${run.concurrency} at once).`)
  const progress = progressReporter(cli, run)
  const ended = await drainJobRun(cli.database, cli.config, run.id, { onProgress: progress.update })
  progress.stop()
  if (ended.status === 'running') cli.out('Another process still holds some items of this run.')
  return (await printSummary(cli, cli.database.jobDb, ended)) > 0 ? 1 : 0
}

async function resume(cli: FleetCli, id: string): Promise<number> {
  const run = /^[0-9a-f-]{36}$/i.test(id) ? await findJobRun(cli.database.db, id) : undefined
  if (!run || run.kind !== 'tenant_migration') return usage(`No fleet migration run ${id}.`)
  return drive(cli, run)
}

async function run(args: string[], cli: FleetCli): Promise<number> {
  let values
  try {
    values = parseArgs({ args, options: OPTIONS, strict: true }).values
  } catch (error) {
    return usage((error as Error).message)
  }
  if (values.resume) return resume(cli, values.resume)
  const dirs = cli.config.tenantMigrationDirs
  if (values['dry-run']) {
    printDryRun(cli, await dryRunMigrations(await buildPendingReport(cli.database, dirs), dirs))
    return 0
  }
  if (values.canary !== undefined && values.tenants !== undefined)
    return usage('Give --canary N or --tenants a,b, not both.')
  const canary = values.canary !== undefined || values.tenants !== undefined
  const read = readMigrationFields(canary ? 'canary' : 'run', {
    count: values.canary ?? '',
    slugs: values.tenants ?? '',
    concurrency: values.concurrency,
    stop_after: values['stop-after'],
  })
  if (!read.ok) return usage(Object.values(read.errors).join(' '))
  const started = await startMigrationRun(cli.database, { actor: null }, read.request, {
    migrationDirs: dirs,
    via: 'cli',
  })
  if (!started.ok) {
    cli.out(`Nothing was started: ${started.reason}`)
    return started.field ? 2 : 'upToDate' in started && started.upToDate ? 0 : 1
  }
  return drive(cli, started.run)
}

export const migrateCommand: FleetCommand = { name: 'migrate', usage: USAGE, run }
