import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { roleCan } from '../../auth/permissions.js'
import { listMigrationRuns } from '../../db/migration-runs.js'
import { buildPendingReport } from '../../fleet/fleet-migrations.js'
import { dryRunMigrations } from '../../fleet/migration-dry-run.js'
import { readMigrationFields, type MigrationFieldErrors } from '../../fleet/migration-form.js'
import { startMigrationRun } from '../../fleet/migration-runs.js'
import { DryRunPage } from '../../views/fleet/migrations-dry-run.js'
import {
  EMPTY_MIGRATION_FORM,
  type MigrationFormValues,
} from '../../views/fleet/migrations-forms.js'
import { MigrationsPage } from '../../views/fleet/migrations-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// Fleet migrations (issue 11 item 4): pending per migration, dry-run, canary, run. Seeing needs
// saas.system.view; starting a run saas.fleet.run. The runs themselves are jobs (/jobs/:id).

const startForm = z.object({
  mode: z.enum(['canary', 'run']),
  count: z.string().max(20).default(''),
  slugs: z.string().max(4000).default(''),
  concurrency: z.string().max(20).default(''),
  stop_after: z.string().max(20).default(''),
})

async function renderPage(
  c: Context<AppEnv>,
  values: MigrationFormValues = EMPTY_MIGRATION_FORM,
  errors: MigrationFieldErrors = {},
) {
  const { database, config } = c.var.deps
  const [report, runs] = await Promise.all([
    buildPendingReport(database, config.tenantMigrationDirs),
    listMigrationRuns(c.var.db),
  ])
  const canRun = roleCan(c.var.operator.role, 'saas.fleet.run')
  return c.render(<MigrationsPage {...{ report, runs, values, errors, canRun }} />, {
    title: 'Fleet migrations',
  })
}

export const fleetMigrationRoutes = new Hono<AppEnv>()

fleetMigrationRoutes.get('/', requirePermission('saas.system.view'), (c) => renderPage(c))

// The dry-run runs each pending migration's up() in this process (against a driver that sends
// nothing), so code a migration runs outside its Kysely instance would run too: it is for those
// who may run migrations (review finding 6 of issue 11), not every viewer.
fleetMigrationRoutes.get('/dry-run', requirePermission('saas.fleet.run'), async (c) => {
  const { database, config } = c.var.deps
  const report = await buildPendingReport(database, config.tenantMigrationDirs)
  const dry = await dryRunMigrations(report, config.tenantMigrationDirs)
  return c.render(<DryRunPage dry={dry} />, { title: 'Dry-run of fleet migrations' })
})

fleetMigrationRoutes.post('/', requirePermission('saas.fleet.run'), async (c) => {
  const parsed = startForm.safeParse(await formFields(c))
  if (!parsed.success) throw new HTTPException(400, { message: 'Malformed migration request.' })
  const { mode, ...values } = parsed.data
  const refuse = (text: string, errors: MigrationFieldErrors) => {
    c.set('flash', { kind: 'error', text })
    c.status(422)
    return renderPage(c, values, errors)
  }
  const read = readMigrationFields(mode, values)
  if (!read.ok) return refuse('Nothing was started: correct the fields below.', read.errors)
  const { config, database } = c.var.deps
  const started = await startMigrationRun(database, auditContext(c), read.request, {
    migrationDirs: config.tenantMigrationDirs,
    via: 'console',
    now: c.var.now(),
  })
  if (!started.ok)
    return refuse(
      `Nothing was started: ${started.reason}`,
      started.field ? { [started.field]: started.reason } : {},
    )
  await setFlash(c, { kind: 'success', text: `Started: ${started.run.label}.` })
  return redirectTo(c, `/jobs/${started.run.id}`)
})
