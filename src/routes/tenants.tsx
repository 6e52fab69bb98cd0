import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { roleCan } from '../auth/permissions.js'
import { newTenantForm, tenantFields } from '../tenancy/tenant-form.js'
import { listAuditEntries } from '../db/audit-log.js'
import { listAutoJoinDomains } from '../db/auto-join-domains.js'
import { listFlagChoicesCached } from '../db/flag-choices.js'
import { listPlansCached } from '../db/plans.js'
import { filterQuery, toTenantFilter } from '../tenancy/bulk-filter.js'
import {
  countMembers,
  countTenantsByStatus,
  findStorage,
  findTenantById,
  listTenants,
  TENANT_DUNNING_FILTERS,
  TENANT_SORTS,
  type Tenant,
} from '../db/tenants.js'
import { offeredPlans } from '../plans/offered-plans.js'
import { changeTenantStatus, editTenant } from '../tenancy/lifecycle.js'
import { deleteTenantFromConsole } from './tenants/deletion.js'
import { approvalFieldFor, requestInsteadOfActing, tenantDeleteApproval } from './approvals-gate.js'
import {
  canRetryOnboarding,
  createTenantRecord,
  describeOnboardingFailure,
  listOnboardingSteps,
  onboardingRetry,
  runOnboarding,
} from '../tenancy/onboarding.js'
import { tenantSchemaStatus } from '../fleet/schema-status.js'
import { listCitusNodeNames } from '../fleet/citus.js'
import { listTenantMembersPage } from '../db/memberships.js'
import { memberQuery } from './tenant-members.js'
import { tenantBackupsSection } from './tenants/backups.js'
import { tenantFlagsOf } from './tenants/flags.js'
import {
  NewTenantPage,
  TenantForm,
  type TenantFormValues,
} from '../views/tenants/new-tenant-page.js'
import { findLatestTenantResult } from '../db/fleet-check-results.js'
import { findTenantBillingSummary } from '../db/tenant-billing.js'
import { findTenantPlacement } from '../db/storage-snapshots.js'
import { TenantPage, TenantHeader, type TenantPageProps } from '../views/tenants/tenant-page.js'
import { SuspensionConfirmPage } from '../views/tenants/tenant-status.js'
import {
  AnnounceOob,
  StatusCountsOob,
  TenantRow,
  TenantsPage,
  TenantTable,
} from '../views/tenants/tenants-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { pageOrFragment } from '../web/render.js'
import { rememberViewedTenant } from '../web/scope.js'
import { auditContext, formFields, isHtmx, redirectTo } from '../web/request.js'

const PER_PAGE = 50

const listQuery = filterQuery.extend({
  sort: z.enum(TENANT_SORTS).catch('created'),
  dir: z.enum(['asc', 'desc']).catch('desc'),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  // Billing dunning (issue 12); list only: a bulk change's filter does not carry it.
  dunning: z.enum(TENANT_DUNNING_FILTERS).or(z.literal('')).catch(''),
  // The Citus node holding the schema (issue 13); list only, like dunning. `host:port`.
  node: z.string().trim().max(300).catch(''),
})

const createTenantForm = newTenantForm
const editTenantForm = z.object(tenantFields)

type FieldErrors<K extends string> = Partial<Record<K, string>>

function fieldErrors<K extends string>(error: z.ZodError): FieldErrors<K> {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0])] ??= issue.message
  return errors as FieldErrors<K>
}

export const tenantRoutes = new Hono<AppEnv>()

tenantRoutes.get('/', requirePermission('saas.tenants.view'), async (c) => {
  const query = listQuery.parse(c.req.query())
  const db = c.var.db
  const { filter, errors } = await toTenantFilter(db, query)
  const [{ items, total, counts, snapshotAt }, plans, flags, citusNodes] = await Promise.all([
    listTenants(db, c.var.scope.filter, {
      ...filter,
      dunning: query.dunning || undefined,
      node: query.node || undefined,
      dunningNow: c.var.now(),
      sort: query.sort,
      dir: query.dir,
      page: query.page,
      perPage: PER_PAGE,
    }),
    listPlansCached(db),
    listFlagChoicesCached(db, c.var.now().getTime()),
    c.var.deps.database.citus ? listCitusNodeNames(db) : [],
  ])
  const table = {
    operator: c.var.operator,
    items,
    total,
    perPage: PER_PAGE,
    query,
    errors,
    snapshotAt,
    now: c.var.now(),
    citusNodes,
  }
  return pageOrFragment(
    c,
    () => <TenantTable {...table} />,
    () => <TenantsPage {...table} counts={counts} plans={plans} flags={flags} />,
    { title: 'Tenants' },
    Object.keys(errors).length > 0 ? 422 : 200,
  )
})

tenantRoutes.get('/new', requirePermission('saas.tenants.create'), async (c) => {
  const plans = await listPlansCached(c.var.db)
  return c.render(<NewTenantPage values={{ planId: 'free' }} errors={{}} plans={plans} />, {
    title: 'New tenant',
  })
})

tenantRoutes.post('/', requirePermission('saas.tenants.create'), async (c) => {
  const raw = await formFields(c)
  const plans = await listPlansCached(c.var.db)
  const parsed = createTenantForm.safeParse(raw)
  const errors: FieldErrors<keyof TenantFormValues> = parsed.success
    ? {}
    : fieldErrors(parsed.error)
  if (parsed.success && !offeredPlans(plans).some((p) => p.id === parsed.data.planId))
    errors.planId = 'Choose one of the plans.'
  const invalid = (errs: typeof errors) =>
    pageOrFragment(
      c,
      () => <TenantForm values={raw} errors={errs} plans={plans} />,
      () => <NewTenantPage values={raw} errors={errs} plans={plans} />,
      { title: 'New tenant' },
      422,
    )
  if (!parsed.success || Object.keys(errors).length > 0) return invalid(errors)
  const result = await createTenantRecord(c.var.db, auditContext(c), parsed.data, c.var.now())
  if (!result.ok && result.reason === 'plan_unavailable')
    return invalid({ planId: 'That plan was just archived; choose another.' })
  if (!result.ok) return invalid({ slug: 'This slug is taken (deleted tenants keep theirs).' })
  const created = result.tenant
  const outcome = await runOnboarding(c.var.db, auditContext(c), created.id, {
    tenantMigrationDirs: c.var.deps.config.tenantMigrationDirs,
  })
  await setFlash(
    c,
    outcome.ok
      ? { kind: 'success', text: `Tenant ${created.slug} is ready.` }
      : {
          kind: 'error',
          text: `Onboarding of ${created.slug} ${describeOnboardingFailure(outcome)}. Fix the cause and retry.`,
        },
  )
  return redirectTo(c, `/tenants/${created.id}`)
})

/** Loads the tenant of `:id` or answers 404; the permission was checked before the lookup. */
async function tenantOr404(c: Context<AppEnv>): Promise<Tenant> {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  return tenant
}

async function tenantPageProps(c: Context<AppEnv>, tenant: Tenant): Promise<TenantPageProps> {
  const db = c.var.db
  const membersQuery = memberQuery(c)
  const [plans, members, memberCounts, storage, schema, steps, audit] = await Promise.all([
    listPlansCached(db),
    listTenantMembersPage(db, tenant.id, membersQuery),
    countMembers(db, [tenant.id]),
    findStorage(db, tenant.id),
    tenantSchemaStatus(db, tenant.slug, c.var.deps.config.tenantMigrationDirs),
    listOnboardingSteps(db, tenant.id),
    listAuditEntries(db, { tenantId: tenant.id }, { limit: 20 }),
  ])
  const planName = plans.find((p) => p.id === tenant.planId)?.name ?? tenant.planId
  return {
    operator: c.var.operator,
    tenant,
    planName,
    plans,
    members: { ...members, ...membersQuery },
    memberCount: memberCounts.get(tenant.id) ?? 0,
    storage,
    schema,
    steps,
    retry: onboardingRetry(tenant, c.var.now()),
    audit,
    now: c.var.now(),
    backups: await tenantBackupsSection(c, tenant),
    autoJoinDomains: await listAutoJoinDomains(db, tenant.id),
    flags: (await tenantFlagsOf(c, tenant)).flags,
    health: { result: await findLatestTenantResult(db, tenant.id) },
    billing: roleCan(c.var.operator.role, 'saas.billing.view')
      ? await findTenantBillingSummary(db, tenant.id)
      : undefined,
    purgeGraceDays: c.var.deps.config.purgeGraceDays,
    placement: c.var.deps.database.citus
      ? { snapshot: await findTenantPlacement(db, tenant.id) }
      : undefined,
  }
}

async function renderTenantPage(
  c: Context<AppEnv>,
  tenant: Tenant,
  extra: Partial<TenantPageProps> = {},
  status: 200 | 422 = 200,
) {
  const deleteApproval = await approvalFieldFor(c, 'tenant.delete') // issue 14: dual control
  const props = { deleteApproval, ...(await tenantPageProps(c, tenant)), ...extra }
  c.status(status)
  return c.render(<TenantPage {...props} />, { title: tenant.name })
}

tenantRoutes.get('/:id', requirePermission('saas.tenants.view'), async (c) => {
  const tenant = await tenantOr404(c)
  await rememberViewedTenant(c, tenant.id)
  return renderTenantPage(c, tenant)
})

tenantRoutes.post('/:id', requirePermission('saas.tenants.edit'), async (c) => {
  const tenant = await tenantOr404(c)
  const raw = await formFields(c)
  const parsed = editTenantForm.safeParse(raw)
  const plans = await listPlansCached(c.var.db)
  const errors: FieldErrors<'name' | 'planId' | 'billingEmail'> = parsed.success
    ? {}
    : fieldErrors(parsed.error)
  if (
    parsed.success &&
    !offeredPlans(plans, tenant.planId).some((p) => p.id === parsed.data.planId)
  )
    errors.planId = 'Choose one of the plans.'
  const values = {
    name: raw.name ?? '',
    planId: raw.planId ?? '',
    billingEmail: raw.billingEmail ?? '',
  }
  if (!parsed.success || Object.keys(errors).length > 0)
    return renderTenantPage(c, tenant, { editErrors: errors, editValues: values }, 422)
  const updated = await editTenant(c.var.db, auditContext(c), tenant.id, parsed.data, c.var.now())
  if (!updated) throw new HTTPException(409, { message: 'This tenant can no longer be edited.' })
  await setFlash(c, { kind: 'success', text: 'Changes saved.' })
  return redirectTo(c, `/tenants/${tenant.id}`)
})

tenantRoutes.delete(
  '/:id',
  requirePermission('saas.tenants.delete'),
  requireRecentTotp,
  async (c) => {
    const tenant = await tenantOr404(c)
    const { confirmSlug = '' } = await formFields(c)
    if (confirmSlug.trim() !== tenant.slug) {
      return renderTenantPage(
        c,
        tenant,
        { deleteError: `Type ${tenant.slug} exactly to delete this tenant.` },
        422,
      )
    }
    // --- issue 14: dual control — a request instead of the delete while the policy says so ---
    const gated = await requestInsteadOfActing(c, tenantDeleteApproval(tenant), '/tenants', (f) =>
      renderTenantPage(c, tenant, { deleteApproval: f }, 422),
    )
    if (gated) return gated
    // --- end dual control ---
    const result = await deleteTenantFromConsole(c, tenant)
    if (!result.ok && result.conflict) throw new HTTPException(409, { message: result.message })
    if (!result.ok) return renderTenantPage(c, tenant, { deleteError: result.message }, 422)
    await setFlash(c, { kind: 'success', text: result.message })
    return redirectTo(c, '/tenants')
  },
)

/** Suspend (POST) and activate (DELETE) the suspension; htmx swaps the row or header. */
async function changeStatus(c: Context<AppEnv>, change: 'suspend' | 'activate') {
  const tenant = await tenantOr404(c)
  const updated = await changeTenantStatus(
    c.var.db,
    auditContext(c),
    tenant.id,
    change,
    c.var.now(),
  )
  const verb = change === 'suspend' ? 'suspended' : 'activated'
  if (!updated)
    throw new HTTPException(409, {
      message: `${tenant.slug} cannot be ${verb} from status ${tenant.status}.`,
    })
  // Every outcome is said, and a suspension offers its Undo (issue #6 items 13 and 14).
  const notice = { text: `Tenant ${tenant.slug} ${verb}.`, undo: change === 'suspend' }
  if (!isHtmx(c)) {
    const url = `/tenants/${tenant.id}/suspension`
    const undo = { action: url, method: 'DELETE' as const, label: `Undo: activate ${tenant.slug}` }
    await setFlash(c, { kind: 'success', text: notice.text, undo: notice.undo ? undo : undefined })
    return c.redirect(
      c.req.header('referer')?.includes('/tenants/') ? `/tenants/${tenant.id}` : '/tenants',
      303,
    )
  }
  if (c.req.header('hx-target')?.startsWith('tenant-header'))
    return c.html(
      <>
        <TenantHeader tenant={updated} operator={c.var.operator} notice={notice} />
        <AnnounceOob text={notice.text} />
      </>,
    )
  const [item, counts] = await Promise.all([
    tenantListItem(c, updated),
    countTenantsByStatus(c.var.db, c.var.scope.filter),
  ])
  return c.html(
    <>
      <TenantRow
        tenant={item}
        operator={c.var.operator}
        now={c.var.now()}
        notice={notice}
        showNode={!!c.var.deps.database.citus}
      />
      <StatusCountsOob counts={counts} />
      <AnnounceOob text={notice.text} />
    </>,
  )
}

/** One tenant as the table shows it (plan name, members, storage), for a swapped row. */
async function tenantListItem(c: Context<AppEnv>, tenant: Tenant) {
  const db = c.var.db
  const [plans, members, storage, placement] = await Promise.all([
    listPlansCached(db),
    countMembers(db, [tenant.id]),
    findStorage(db, tenant.id),
    findTenantPlacement(db, tenant.id),
  ])
  const planName = plans.find((p) => p.id === tenant.planId)?.name ?? tenant.planId
  const node = placement?.node ?? null
  return {
    ...tenant,
    planName,
    members: members.get(tenant.id) ?? 0,
    storage: storage ?? null,
    node,
  }
}

/** Without JavaScript the row's Suspend opens this page instead of suspending at once. */
tenantRoutes.get('/:id/suspension/new', requirePermission('saas.tenants.suspend'), async (c) => {
  const tenant = await tenantOr404(c)
  if (tenant.status !== 'active') c.status(409)
  return c.render(<SuspensionConfirmPage tenant={tenant} />, { title: `Suspend ${tenant.name}` })
})

tenantRoutes.post('/:id/suspension', requirePermission('saas.tenants.suspend'), (c) =>
  changeStatus(c, 'suspend'),
)
tenantRoutes.delete('/:id/suspension', requirePermission('saas.tenants.suspend'), (c) =>
  changeStatus(c, 'activate'),
)

tenantRoutes.post('/:id/onboarding', requirePermission('saas.tenants.create'), async (c) => {
  const tenant = await tenantOr404(c)
  if (!canRetryOnboarding(tenant, c.var.now())) {
    throw new HTTPException(409, {
      message: 'Only a failed or interrupted onboarding can be retried.',
    })
  }
  const outcome = await runOnboarding(c.var.db, auditContext(c), tenant.id, {
    tenantMigrationDirs: c.var.deps.config.tenantMigrationDirs,
  })
  await setFlash(
    c,
    // Settled as active: a second click of Retry arrived after the first one finished.
    outcome.ok || ('settled' in outcome && outcome.settled === 'active')
      ? { kind: 'success', text: `Tenant ${tenant.slug} is ready.` }
      : {
          kind: 'error',
          text: `Onboarding of ${tenant.slug} ${describeOnboardingFailure(outcome)}.`,
        },
  )
  return redirectTo(c, `/tenants/${tenant.id}`)
})
