import { findTenantBySlug } from '../../db/tenants.js'
import { drainJobRun } from '../../jobs/runner.js'
import { formatBytes } from '../../views/format.js'
import { startFleetBackup } from '../backup-job.js'
import { createTenantBackup } from '../backups.js'
import type { FleetCli, FleetCommand } from './command.js'

// `npm run fleet -- backup <slug> | --all` (issue 11 item 5; seed 000 "trigger backups"): one
// tenant's backup, or the fleet backup as a job run drained in this process. Audited with no
// actor, as the scheduler's are; the run's id ties the fleet's entries together.

async function backUpOne(slug: string, cli: FleetCli): Promise<number> {
  const tenant = await findTenantBySlug(cli.database.db, slug)
  if (!tenant) {
    cli.out(`no tenant ${slug}`)
    return 2
  }
  const made = await createTenantBackup(
    cli.database,
    cli.config,
    { actor: null },
    tenant.id,
    'manual',
  )
  if (!made.ok) {
    const why = {
      schema_missing: 'its schema is missing',
      tenant_deleted: 'it is deleted',
      unsafe_dump_text: 'a name or body in its schema has a line break then a backslash',
    }
    cli.out(`${slug}: ${made.reason in why ? why[made.reason as keyof typeof why] : made.reason}`)
    return 1
  }
  const b = made.backup
  cli.out(`${slug}: ${formatBytes(b.sizeBytes)} in ${b.durationMs} ms, sha256 ${b.sha256}`)
  cli.out(`  ${cli.config.backupDir}/${b.fileName}`)
  return 0
}

async function backUpAll(cli: FleetCli): Promise<number> {
  const run = await startFleetBackup(cli.database.db, { actor: null })
  cli.out(`${run.label}: run ${run.id}`)
  const ended = await drainJobRun(cli.database, cli.config, run.id, {
    onProgress: (p) => {
      if (cli.interactive) process.stdout.write(`\r${p.done + p.failed + p.skipped}/${p.total}`)
    },
  })
  if (cli.interactive) process.stdout.write('\n')
  const failed = await cli.database.db
    .selectFrom('job_items')
    .select(['target', 'error'])
    .where('run_id', '=', run.id)
    .where('status', '=', 'failed')
    .execute()
  for (const f of failed) cli.out(`failed  ${f.target}: ${f.error}`)
  cli.out(`run ${ended.status}: ${run.total - failed.length} of ${run.total} backed up or skipped`)
  return failed.length > 0 || ended.status !== 'completed' ? 1 : 0
}

export const backupCommand: FleetCommand = {
  name: 'backup',
  usage: 'backup <slug> | --all  — back up one tenant, or every tenant as a job run',
  async run(args, cli) {
    if (args.length !== 1) {
      cli.out('usage: npm run fleet -- backup <slug> | --all')
      return 2
    }
    return args[0] === '--all' ? backUpAll(cli) : backUpOne(args[0], cli)
  },
}
