import type { FC } from 'hono/jsx'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'

/** What the operator typed, and the message beside each field that was refused. */
export type MigrationFormValues = {
  count: string
  slugs: string
  concurrency: string
  stop_after: string
}
export type MigrationFormErrors = Partial<Record<keyof MigrationFormValues, string>>

export const EMPTY_MIGRATION_FORM: MigrationFormValues = {
  count: '20',
  slugs: '',
  concurrency: '2',
  stop_after: '',
}

/**
 * Dry-run, canary and run: the three ways to act on pending migrations (issue 11 item 4), all
 * for those who may run them (`canRun`: the dry-run executes each migration's up() too).
 */
export const MigrationForms: FC<{
  values: MigrationFormValues
  errors: MigrationFormErrors
  canRun: boolean
}> = (p) => (
  <div class="grid gap-6 md:grid-cols-3">
    {p.canRun && (
      <form method="get" action="/fleet/migrations/dry-run" aria-label="Dry-run">
        <h3 class="m-0 mb-2 text-sm font-semibold">Dry-run</h3>
        <p class="m-0 mb-4 text-sm text-slate-600">
          Which tenants, which migrations and their SQL. Changes nothing.
        </p>
        <Button kind="plain">Show dry-run</Button>
      </form>
    )}
    {p.canRun && (
      <form method="post" action="/fleet/migrations" aria-label="Canary">
        <h3 class="m-0 mb-2 text-sm font-semibold">Canary</h3>
        <input type="hidden" name="mode" value="canary" />
        <Field
          name="count"
          label="First N tenants"
          inputmode="numeric"
          value={p.values.count}
          error={p.errors.count}
          hint="In the order they were created."
        />
        <Field
          name="slugs"
          label="Or these tenants (slugs, comma-separated)"
          value={p.values.slugs}
          error={p.errors.slugs}
        />
        <Button>Start canary</Button>
      </form>
    )}
    {p.canRun && (
      <form method="post" action="/fleet/migrations" aria-label="Run">
        <h3 class="m-0 mb-2 text-sm font-semibold">Run</h3>
        <input type="hidden" name="mode" value="run" />
        <Field
          name="concurrency"
          label="Workers (1–8)"
          inputmode="numeric"
          value={p.values.concurrency}
          error={p.errors.concurrency}
        />
        <Field
          name="stop_after"
          label="Stop after K failures (optional)"
          inputmode="numeric"
          value={p.values.stop_after}
          error={p.errors.stop_after}
        />
        <Button>Migrate every tenant</Button>
      </form>
    )}
  </div>
)
