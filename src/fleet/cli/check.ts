import { listCheckResults, type CheckResult } from '../../db/fleet-check-results.js'
import { drainJobRun } from '../../jobs/runner.js'
import { startExclusiveRun } from '../../jobs/start-run.js'
import { healthCheckRunSpec } from '../health-check-job.js'
import type { FleetCli, FleetCommand } from './command.js'
import { countsLine, formatTable, whatIsWrong } from './health-output.js'

// npm run fleet -- check: the health of every tenant schema now (issue 11 item 3; seed 000's
// fix_missing_tenant_databases.py check), run as a health_check job in this process so it is
// stored and listed on /jobs and /fleet like any other. Exit 1 when anything is unhealthy.

const USAGE = 'check  — health of every tenant schema now; exit 1 when any is unhealthy'

/** The unhealthy schemas as a table, failures first (listCheckResults' order), then a blank line. */
function printUnhealthy(cli: FleetCli, results: CheckResult[]): void {
  if (results.length === 0) return
  const rows = results.map((r) => [
    r.schema,
    r.slug ?? '(no tenant)',
    r.health,
    whatIsWrong(r.findings, r.pending),
  ])
  for (const line of formatTable(['schema', 'tenant', 'health', 'what is wrong'], rows))
    cli.out(line)
  cli.out('')
}

export const command: FleetCommand = {
  name: 'check',
  usage: USAGE,
  async run(args, cli) {
    if (args.length > 0) {
      cli.out(`usage: npm run fleet -- ${USAGE}`)
      return 2
    }
    const { database, config } = cli
    const { run } = await startExclusiveRun(database.db, { actor: null }, healthCheckRunSpec())
    const ended = await drainJobRun(database, config, run.id)
    const check = await database.db
      .selectFrom('fleet_checks')
      .selectAll()
      .where('run_id', '=', run.id)
      .executeTakeFirst()
    if (ended.status !== 'completed' || !check) {
      const item = await database.db
        .selectFrom('job_items')
        .select('error')
        .where('run_id', '=', run.id)
        .executeTakeFirst()
      cli.out(`The check failed: ${item?.error ?? ended.stopReason ?? ended.status}`)
      return 1
    }
    const results = await listCheckResults(database.db, check.id, { limit: 100_000 })
    printUnhealthy(cli, results)
    const summary = check.summary as Record<string, number>
    const seconds = (check.duration_ms / 1000).toFixed(1)
    const schemas = summary.schemas ?? 0
    const noun = schemas === 1 ? 'schema' : 'schemas'
    cli.out(`${schemas} ${noun} checked in ${seconds} s: ${countsLine(summary)}.`)
    return results.length > 0 ? 1 : 0
  },
}
