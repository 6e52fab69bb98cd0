import cliProgress from 'cli-progress'
import type { Db } from '../../db/database.js'
import type { JobProgress, JobRun } from '../../db/job-runs.js'
import type { DryRun } from '../migration-dry-run.js'
import type { FleetCli } from './command.js'

// What `npm run fleet -- migrate` prints: the dry-run report, progress while it drives a run
// (a cli-progress bar on a terminal, plain lines otherwise), and the summary table.

/** Prints the dry-run: each migration's tenants and SQL, every tenant's pending, the skipped. */
export function printDryRun(cli: FleetCli, dry: DryRun): void {
  const { report } = dry
  cli.out(`Dry-run: nothing is changed. Pending report read in ${Math.round(report.tookMs)} ms.`)
  cli.out(`${report.tenants.length} tenants behind, ${report.upToDate} up to date.`)
  for (const m of dry.migrations) {
    cli.out(`\n${m.name} — ${m.tenants} tenants`)
    if (m.note) cli.out(`  note: ${m.note}`)
    for (const s of m.statements) cli.out(`  ${s};`)
  }
  cli.out('\nTenants:')
  for (const t of report.tenants) cli.out(`  ${t.slug} (${t.status}): ${t.pending.join(', ')}`)
  printSkipped(cli, report.skipped)
}

function printSkipped(cli: FleetCli, skipped: { slug: string; status: string; reason: string }[]) {
  if (skipped.length === 0) return
  cli.out('\nSkipped:')
  for (const t of skipped) cli.out(`  ${t.slug} (${t.status}): ${t.reason}`)
}

/** A progress callback: a bar on a terminal, a line per 5 % (and the last) otherwise. */
export function progressReporter(cli: FleetCli, run: JobRun) {
  if (cli.interactive) {
    const bar = new cliProgress.SingleBar(
      { format: 'migrating [{bar}] {value}/{total} tenants | failed {failed}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    )
    bar.start(run.total, 0, { failed: 0 })
    return {
      update: (p: JobProgress) => bar.update(settled(p), { failed: p.failed }),
      stop: () => bar.stop(),
    }
  }
  let shown = -1
  return {
    update: (p: JobProgress) => {
      const step = Math.floor((settled(p) / Math.max(p.total, 1)) * 20)
      if (step === shown) return
      shown = step
      cli.out(`${settled(p)}/${p.total} tenants (failed ${p.failed})`)
    },
    stop: () => {},
  }
}

const settled = (p: JobProgress) => p.done + p.skipped + p.failed + p.canceled

/**
 * Prints the summary table of a run: counts by outcome, then skipped tenants grouped by why and
 * every failed tenant with its error.
 * @returns the number of failed items
 */
export async function printSummary(cli: FleetCli, db: Db, run: JobRun): Promise<number> {
  const items = await db
    .selectFrom('job_items')
    .select(['target', 'status', 'error', 'result'])
    .where('run_id', '=', run.id)
    .orderBy('seq')
    .execute()
  const count = (status: string) => items.filter((i) => i.status === status).length
  const rows: [string, number][] = [
    ['migrated', count('done')],
    ['skipped', count('skipped')],
    ['failed', count('failed')],
    ['not run', count('pending') + count('running') + count('canceled')],
  ]
  cli.out(
    `\nRun ${run.id}: ${run.label} — ${run.status}${run.stopReason ? ` (${run.stopReason})` : ''}`,
  )
  for (const [what, n] of rows) cli.out(`  ${what.padEnd(10)}${String(n).padStart(7)}`)
  const reasons = new Map<string, number>()
  for (const i of items.filter((i) => i.status === 'skipped')) {
    const why = String((i.result as { reason?: string } | null)?.reason ?? 'skipped')
    reasons.set(why, (reasons.get(why) ?? 0) + 1)
  }
  for (const [why, n] of reasons) cli.out(`  skipped ${n}: ${why}`)
  for (const i of items.filter((i) => i.status === 'failed'))
    cli.out(`  FAILED ${i.target.padEnd(40)} ${i.error ?? ''}`)
  if (rows[3][1] > 0) cli.out(`Resume with: npm run fleet -- migrate --resume ${run.id}`)
  return rows[2][1]
}
