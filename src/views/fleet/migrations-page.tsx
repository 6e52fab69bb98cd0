import type { FC } from 'hono/jsx'
import type { MigrationRunSummary } from '../../db/migration-runs.js'
import type { PendingReport } from '../../fleet/fleet-migrations.js'
import { Section } from '../components/section.js'
import {
  MigrationForms,
  type MigrationFormErrors,
  type MigrationFormValues,
} from './migrations-forms.js'
import { MigrationRuns } from './migrations-runs.js'
import { PendingMigrations, SkippedTenants } from './migrations-pending.js'

export type MigrationsPageProps = {
  report: PendingReport
  runs: MigrationRunSummary[]
  values: MigrationFormValues
  errors: MigrationFormErrors
  canRun: boolean
}

/** True when the latest run is a canary that finished: the operator reviews, then runs the rest. */
function canaryDone(runs: MigrationRunSummary[]): boolean {
  const latest = runs[0]
  return latest?.params.mode === 'canary' && latest.status === 'completed'
}

/** /fleet/migrations: what is pending where, what was skipped, the runs, and the forms. */
export const MigrationsPage: FC<MigrationsPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Fleet migrations</h1>
    {canaryDone(p.runs) && (
      <p role="status" class="mb-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm">
        Canary done: review, then run the rest.
      </p>
    )}
    <Section id="pending" title="Pending migrations">
      <PendingMigrations report={p.report} />
    </Section>
    <Section id="act" title="Dry-run, canary, run">
      <MigrationForms values={p.values} errors={p.errors} canRun={p.canRun} />
    </Section>
    <Section id="runs" title="Latest runs">
      <MigrationRuns runs={p.runs} />
    </Section>
    <Section id="skipped" title="Skipped tenants">
      <SkippedTenants report={p.report} />
    </Section>
  </>
)
