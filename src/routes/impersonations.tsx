import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { listUsableAppKeys } from '../db/app-keys.js'
import { findImpersonation, findOpenImpersonation } from '../db/impersonations.js'
import { findTenantById, type Tenant } from '../db/tenants.js'
import { findUserById, findUsersByEmails, type User } from '../db/users.js'
import { startImpersonation, type StartRefusal } from '../tenancy/impersonation.js'
import { endImpersonation } from '../tenancy/impersonation-end.js'
import { issueHandoff } from '../tenancy/impersonation-handoff.js'
import { ImpersonationBanner } from '../views/impersonations/impersonation-banner.js'
import {
  NewImpersonationPage,
  type StartErrors,
  type StartValues,
} from '../views/impersonations/new-impersonation-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { allowFormActionTo } from '../web/hardening.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'
import { impersonationListRoutes } from './impersonation-list.js'

// "View as" (issue 8 item 2): start an impersonation and hand the browser to the tenant app,
// reopen the app, end it, and the banner's fragment. The list is in ./impersonation-list.tsx.

const impersonate = requirePermission('saas.tenants.impersonate')

const startForm = z.object({
  tenant: z.uuid(),
  user: z.uuid(),
  reason: z
    .string()
    .trim()
    .min(10, { error: 'Give a reason of at least 10 characters.' })
    .max(2000),
  ticket: z.string().trim().max(100, { error: 'Use at most 100 characters.' }).default(''),
  duration: z.enum(['15', '30', '60'], { error: 'Choose 15, 30 or 60 minutes.' }),
  mode: z.enum(['read_only', 'read_write'], { error: 'Choose read-only or read-write.' }),
  confirmSlug: z.string().trim().max(100).default(''),
  app: z.string().max(100).default(''),
})

/** Read-write needs a TOTP code from the last 10 minutes (issue 8); read-only does not. */
const stepUpForReadWrite: MiddlewareHandler<AppEnv> = async (c, next) =>
  (await formFields(c)).mode === 'read_write' ? requireRecentTotp(c, next) : next()

export const impersonationRoutes = new Hono<AppEnv>()

/** The tenant's first admin (seed 002): the user "View as" on a tenant page means. */
async function defaultUser(c: Context<AppEnv>, tenant: Tenant): Promise<User | undefined> {
  const [first] = await findUsersByEmails(c.var.db, [tenant.firstAdminEmail])
  return first && findUserById(c.var.db, first.id)
}

async function targetOr404(c: Context<AppEnv>, tenantId: string, userId: string) {
  const tenant = await findTenantById(c.var.db, tenantId)
  const user =
    tenant && (userId ? await findUserById(c.var.db, userId) : await defaultUser(c, tenant))
  if (!tenant || !user) throw new HTTPException(404, { message: 'No such tenant or user.' })
  return { tenant, user }
}

async function renderForm(
  c: Context<AppEnv>,
  target: { tenant: Tenant; user: User },
  values?: Partial<StartValues>,
  errors?: StartErrors,
) {
  const appKeys = await listUsableAppKeys(c.var.db)
  allowFormActionTo(
    c,
    appKeys.map((k) => k.appUrl),
  )
  if (errors) c.status(422)
  return c.render(
    <NewImpersonationPage {...target} appKeys={appKeys} values={values} errors={errors} />,
    {
      title: `View as ${target.user.email}`,
    },
  )
}

impersonationRoutes.route('/', impersonationListRoutes)

impersonationRoutes.get('/new', impersonate, async (c) =>
  renderForm(c, await targetOr404(c, c.req.query('tenant') ?? '', c.req.query('user') ?? '')),
)

impersonationRoutes.post('/', impersonate, stepUpForReadWrite, async (c) => {
  const raw = await formFields(c)
  const target = await targetOr404(c, raw.tenant ?? '', raw.user ?? '')
  const parsed = startForm.safeParse(raw)
  if (!parsed.success) return renderForm(c, target, raw, fieldErrors(parsed.error))
  const f = parsed.data
  if (f.mode === 'read_write' && f.confirmSlug !== target.tenant.slug) {
    return renderForm(c, target, raw, {
      confirmSlug: `Type ${target.tenant.slug} to confirm read-write.`,
    })
  }
  const result = await startImpersonation(
    c.var.db,
    auditContext(c),
    c.var.deps.config,
    {
      operator: c.var.operator,
      tenantId: target.tenant.id,
      userId: target.user.id,
      reason: f.reason,
      ticket: f.ticket || null,
      durationMinutes: Number(f.duration) as 15 | 30 | 60,
      mode: f.mode,
      appKeyId: f.app || undefined,
    },
    c.var.now(),
  )
  if (!result.ok) return renderForm(c, target, raw, refusalErrors(result.reason, target))
  // The operator's browser goes to the tenant app with the handoff (PROTOCOL.md).
  return c.redirect(result.handoffUrl, 303)
})

function refusalErrors(
  reason: StartRefusal,
  { tenant, user }: { tenant: Tenant; user: User },
): StartErrors {
  const messages: Record<StartRefusal, StartErrors> = {
    user_not_found: { form: 'That user no longer exists.' },
    tenant_not_found: { form: 'That tenant no longer exists.' },
    user_disabled: { form: `${user.email} is disabled: a disabled user cannot be viewed as.` },
    tenant_unavailable: {
      form: `${tenant.slug} is ${tenant.status}: only active or suspended tenants can be viewed.`,
    },
    not_a_member: { form: `${user.email} is not a member of ${tenant.slug}.` },
    suspended_read_only: { mode: `${tenant.slug} is suspended: it can be viewed read-only only.` },
    no_app_key: {
      form: 'No tenant app is connected: connect a tenant app in Settings → App keys.',
    },
    choose_app_key: { app: 'Choose the tenant app to open.' },
    unknown_app_key: { app: 'That tenant app is no longer connected; choose another.' },
    already_impersonating: {
      form: 'You are already viewing as someone: end the first impersonation before starting another.',
    },
  }
  return messages[reason]
}

impersonationRoutes.get('/banner', async (c) => {
  const now = c.var.now()
  const imp = await findOpenImpersonation(c.var.db, c.var.operator.id)
  if (!imp || imp.expiresAt <= now) return c.html('')
  return c.html(<ImpersonationBanner impersonation={imp} now={now} />)
})

impersonationRoutes.post('/:id/handoff', impersonate, async (c) => {
  const { db, deps, operator } = c.var
  const result = await issueHandoff(
    db,
    auditContext(c),
    deps.config,
    c.req.param('id'),
    operator,
    c.var.now(),
  )
  if (result.ok) return c.redirect(result.handoffUrl, 303)
  if (result.reason === 'not_found')
    throw new HTTPException(404, { message: 'No such impersonation of yours.' })
  const text =
    result.reason === 'not_active'
      ? 'That impersonation has ended.'
      : 'Its tenant app is no longer connected.'
  await setFlash(c, { kind: 'error', text })
  return redirectTo(c, '/impersonations')
})

impersonationRoutes.post('/:id/end', async (c) => {
  const { db, operator } = c.var
  const id = c.req.param('id')
  const imp = await findImpersonationOr404(c, id)
  // Owners may end anyone's (issue 8 item 2); everyone else only their own.
  if (imp.operatorId !== operator.id && operator.role !== 'owner') {
    throw new HTTPException(403, {
      message: 'Only owners may end another operator’s impersonation.',
    })
  }
  const by = { id: operator.id, email: operator.email }
  await endImpersonation(db, auditContext(c), id, { by, reason: 'ended' }, c.var.now())
  await setFlash(c, {
    kind: 'success',
    text: `Impersonation of ${imp.userEmail} in ${imp.tenantSlug} ended.`,
  })
  return redirectTo(c, '/impersonations')
})

async function findImpersonationOr404(c: Context<AppEnv>, id: string) {
  const imp = await findImpersonation(c.var.db, id)
  if (!imp) throw new HTTPException(404, { message: 'No such impersonation.' })
  return imp
}

function fieldErrors(error: z.ZodError): StartErrors {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0])] ??= issue.message
  if (errors.tenant || errors.user)
    errors.form = 'The form was not complete; start again from the user or tenant page.'
  return errors
}
