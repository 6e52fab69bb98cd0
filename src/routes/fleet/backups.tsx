import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { z } from 'zod'
import { newTenantForm } from '../../tenancy/tenant-form.js'
import { roleCan } from '../../auth/permissions.js'
import { backupQueueDepth, backupTotals, listLastBackups } from '../../db/backup-overview.js'
import { listPlansCached } from '../../db/plans.js'
import { findTenantBackup, type TenantBackup } from '../../db/tenant-backups.js'
import { describeBackupReadRefusal } from '../../fleet/backup-file.js'
import { startFleetBackup } from '../../fleet/backup-job.js'
import { restoreBackupAsNewTenant, type RestoreAsNewRefusal } from '../../fleet/restore-as-new.js'
import { offeredPlans } from '../../plans/offered-plans.js'
import { FleetBackupsPage } from '../../views/fleet/backups-page.js'
import {
  RestoreAsNewPage,
  type RestoreAsNewPageProps,
} from '../../views/fleet/restore-as-new-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// /fleet/backups (issue 11 item 5): the overview (saas.system.view), "Back up every tenant" as a
// job run (saas.fleet.run), and restore of a backup into a new tenant — owner or admin
// (saas.tenants.delete) with step-up, as for every restore: it copies a tenant's data.

const restoreAsNewForm = newTenantForm

type Errors = RestoreAsNewPageProps['errors']

export const fleetBackupRoutes = new Hono<AppEnv>()

fleetBackupRoutes.get('/', requirePermission('saas.system.view'), async (c) => {
  const db = c.var.db
  const [tenants, totals, queue] = await Promise.all([
    listLastBackups(db),
    backupTotals(db),
    backupQueueDepth(db),
  ])
  const role = c.var.operator.role
  const props = { tenants, totals, queue, now: c.var.now() }
  const can = {
    canRun: roleCan(role, 'saas.fleet.run'),
    canRestore: roleCan(role, 'saas.tenants.delete'),
  }
  return c.render(<FleetBackupsPage {...props} {...can} />, { title: 'Backups' })
})

fleetBackupRoutes.post('/', requirePermission('saas.fleet.run'), async (c) => {
  const run = await startFleetBackup(c.var.db, auditContext(c), c.var.now())
  await setFlash(c, { kind: 'success', text: `Started: ${run.label}.` })
  return redirectTo(c, `/jobs/${run.id}`)
})

async function backupOr404(c: Context<AppEnv>): Promise<TenantBackup> {
  const backup = await findTenantBackup(c.var.db, c.req.param('backupId') ?? '')
  if (!backup) throw new HTTPException(404, { message: 'No such backup.' })
  return backup
}

async function renderForm(
  c: Context<AppEnv>,
  backup: TenantBackup,
  values = {},
  errors: Errors = {},
) {
  const plans = await listPlansCached(c.var.db)
  if (Object.keys(errors).length > 0) c.status(422)
  return c.render(
    <RestoreAsNewPage backup={backup} plans={plans} values={values} errors={errors} />,
    {
      title: 'Restore into a new tenant',
    },
  )
}

fleetBackupRoutes.get('/:backupId/tenant', requirePermission('saas.tenants.delete'), async (c) =>
  renderForm(c, await backupOr404(c), { planId: 'free' }),
)

fleetBackupRoutes.post(
  '/:backupId/tenant',
  requirePermission('saas.tenants.delete'),
  requireRecentTotp,
  async (c) => {
    const backup = await backupOr404(c)
    const raw = await formFields(c)
    const parsed = restoreAsNewForm.safeParse(raw)
    if (!parsed.success) return renderForm(c, backup, raw, fieldErrors(parsed.error))
    const plans = await listPlansCached(c.var.db)
    if (!offeredPlans(plans).some((p) => p.id === parsed.data.planId))
      return renderForm(c, backup, raw, { planId: 'Choose one of the plans.' })
    const { database, config } = c.var.deps
    const context = auditContext(c)
    const result = await restoreBackupAsNewTenant(
      database,
      config,
      context,
      backup.id,
      parsed.data,
      c.var.now(),
    )
    if (!result.ok)
      return renderForm(c, backup, raw, refusalErrors(result.reason, parsed.data.slug))
    const { tenant } = result
    await setFlash(
      c,
      tenant.status === 'active'
        ? {
            kind: 'success',
            text: `Restored the backup of ${backup.slug} into the new tenant ${tenant.slug}.`,
          }
        : {
            kind: 'error',
            text: `The data of ${backup.slug} is in ${tenant.slug}, but its onboarding failed; fix the cause and retry.`,
          },
    )
    return redirectTo(c, `/tenants/${tenant.id}`)
  },
)

function fieldErrors(error: z.ZodError): Errors {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0])] ??= issue.message
  return errors
}

function refusalErrors(reason: RestoreAsNewRefusal, slug: string): Errors {
  switch (reason) {
    case 'slug_taken':
      return { slug: 'This slug is taken (deleted tenants keep theirs).' }
    case 'schema_exists':
      return {
        slug: `A schema for ${slug} exists with no tenant: adopt or drop it on the fleet page first.`,
      }
    case 'plan_unavailable':
      return { planId: 'That plan was just archived; choose another.' }
    case 'backup_not_found':
      return { form: 'That backup no longer exists; nothing was created.' }
    default:
      return { form: `${describeBackupReadRefusal(reason)} Nothing was created.` }
  }
}
