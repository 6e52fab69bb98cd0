import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { roleCan } from '../auth/permissions.js'
import { findBatch, findRollbackBatchId, listBatchItems, listBatches } from '../db/bulk-batches.js'
import { listFlagChoicesCached } from '../db/flag-choices.js'
import { findFlagByKey } from '../db/flags.js'
import { listPlansCached } from '../db/plans.js'
import type { BulkKind } from '../db/schema.js'
import { applyBatch, checkChange, continueBatch } from '../tenancy/bulk-apply.js'
import type { BulkChange } from '../tenancy/bulk-change-one.js'
import { describeFilter, filterQuery, toTenantFilter } from '../tenancy/bulk-filter.js'
import {
  BULK_KIND_PERMISSION,
  BULK_KINDS,
  bulkKindsFor,
  kindNeedsStepUp,
  rollbackNeedsStepUp,
} from '../tenancy/bulk-kinds.js'
import { previewChange } from '../tenancy/bulk-preview.js'
import { rollBackBatch } from '../tenancy/bulk-rollback.js'
import { BatchPage } from '../views/batches/batch-page.js'
import { BatchesPage } from '../views/batches/batches-page.js'
import {
  NewBatchPage,
  type ChangeParams,
  type NewBatchProps,
  type ParamErrors,
} from '../views/batches/new-batch-page.js'
import { approvalFieldFor, bulkSuspendApproval, requestInsteadOfActing } from './approvals-gate.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'

// Bulk changes by filter (issue 9 item 4): preview, apply, the batches, continue, roll back.
// Each kind needs its own permission (src/tenancy/bulk-kinds.ts); suspending needs step-up.

const ITEMS_PER_PAGE = 100

const changeQuery = filterQuery.extend({
  kind: z.enum(BULK_KINDS),
  to_plan: z.string().trim().max(40).catch(''),
  set_flag: z.string().trim().max(63).catch(''),
  set_value: z.string().trim().max(100).catch(''),
})
const applyFields = changeQuery.extend({
  previewed_count: z.coerce.number().int().min(0).max(1_000_000),
  accepted_drift: z.string().trim().max(20).default('0'),
})
const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) })

type ChangeQuery = z.output<typeof changeQuery>

/** Viewers and support make no bulk change at all: 403 before anything is read. */
const requireSomeBulkKind: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (bulkKindsFor(c.var.operator.role).length === 0)
    throw new HTTPException(403, { message: 'Your role does not allow this.' })
  await next()
}

/** The kind's own permission (plans, flags or suspension), checked once the kind is known. */
function requireKind(c: Context<AppEnv>, kind: BulkKind): void {
  if (!roleCan(c.var.operator.role, BULK_KIND_PERMISSION[kind]))
    throw new HTTPException(403, { message: 'Your role does not allow this kind of change.' })
}

/** A form or query that no page of ours sends (no kind, a count that is not a number): 400. */
function parseOr400<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw new HTTPException(400, { message: 'Malformed bulk change request.' })
  return parsed.data
}

/** The form's kind checked, then step-up when it suspends: a viewer gets 403, never step-up. */
const kindAndStepUp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { kind } = parseOr400(z.object({ kind: z.enum(BULK_KINDS) }), await formFields(c))
  requireKind(c, kind)
  return kindNeedsStepUp(kind) ? requireRecentTotp(c, next) : next()
}

/** The change the params name, or per-field messages; `undefined` while a choice is missing. */
async function readChange(
  c: Context<AppEnv>,
  q: ChangeQuery,
): Promise<{ change?: BulkChange; errors: ParamErrors }> {
  if (q.kind === 'suspend' || q.kind === 'activate') return { change: { kind: q.kind }, errors: {} }
  if (q.kind === 'plan_change') {
    if (!q.to_plan) return { errors: {} }
    const change = { kind: q.kind, planId: q.to_plan }
    const refusal = await checkChange(c.var.db, change)
    if (refusal === 'plan_archived')
      return { errors: { to_plan: 'This plan is archived: it takes no new tenants.' } }
    if (refusal) return { errors: { to_plan: 'Choose one of the plans.' } }
    return { change, errors: {} }
  }
  if (!q.set_flag) return { errors: {} }
  const flag = await findFlagByKey(c.var.db, q.set_flag)
  if (!flag) return { errors: { set_flag: `No flag has the key “${q.set_flag}”.` } }
  if (flag.archived)
    return { errors: { set_flag: `${flag.key} is archived: it cannot be overridden.` } }
  if (!q.set_value) return { errors: {} }
  const value =
    q.set_value === 'clear'
      ? null
      : flag.type === 'boolean'
        ? q.set_value === 'on'
          ? true
          : q.set_value === 'off'
            ? false
            : undefined
        : flag.variants.includes(q.set_value)
          ? q.set_value
          : undefined
  if (value === undefined)
    return { errors: { set_value: `“${q.set_value}” is not a value of ${flag.key}.` } }
  return { change: { kind: q.kind, flagKey: flag.key, value }, errors: {} }
}

/** The preview page for `q`, with what the last Apply said (`extra`). */
async function renderPreview(
  c: Context<AppEnv>,
  q: ChangeQuery,
  extra: Partial<NewBatchProps> = {},
  status: 200 | 422 = 200,
) {
  const db = c.var.db
  const [plans, flags, { filter, errors: filterErrors }, { change, errors: paramErrors }] =
    await Promise.all([
      listPlansCached(db),
      listFlagChoicesCached(db, c.var.now().getTime()),
      toTenantFilter(db, q),
      readChange(c, q),
    ])
  const usable = change && Object.keys(filterErrors).length === 0
  const flag =
    change?.kind === 'flag_override' ? await findFlagByKey(db, change.flagKey) : undefined
  const preview = usable
    ? await previewChange(db, c.var.scope.filter, filter, change, plans, flag)
    : undefined
  const invalid = Object.keys(filterErrors).length + Object.keys(paramErrors).length > 0
  const params: ChangeParams = { to_plan: q.to_plan, set_flag: q.set_flag, set_value: q.set_value }
  const props: NewBatchProps = {
    kind: q.kind,
    filter: q,
    filterText: describeFilter(q, plans),
    filterErrors,
    params,
    paramErrors,
    plans,
    flags,
    preview,
    acceptedDrift: '0',
    stepUp: kindNeedsStepUp(q.kind),
    // issue 14: dual control
    approval: q.kind === 'suspend' ? await approvalFieldFor(c, 'tenant.bulk_suspend') : undefined,
    ...extra,
  }
  c.status(invalid ? 422 : status)
  return c.render(<NewBatchPage {...props} />, { title: 'Bulk change' })
}

export const batchRoutes = new Hono<AppEnv>()

batchRoutes.get('/', requirePermission('saas.tenants.view'), async (c) => {
  const { page } = pageQuery.parse(c.req.query())
  const [batches, plans] = await Promise.all([
    listBatches(c.var.db, page),
    listPlansCached(c.var.db),
  ])
  return c.render(
    <BatchesPage
      batches={batches.slice(0, 50)}
      plans={plans}
      page={page}
      hasMore={batches.length > 50}
    />,
    { title: 'Bulk changes' },
  )
})

batchRoutes.get('/new', requireSomeBulkKind, async (c) => {
  const q = parseOr400(changeQuery, c.req.query())
  requireKind(c, q.kind)
  return renderPreview(c, q)
})

const DRIFT_MESSAGE = 'Enter a whole number of tenants, 0 or more.'

batchRoutes.post('/', requireSomeBulkKind, kindAndStepUp, async (c) => {
  const f = parseOr400(applyFields, await formFields(c))
  const drift = /^\d{1,7}$/.test(f.accepted_drift) ? Number(f.accepted_drift) : undefined
  const keep = { acceptedDrift: f.accepted_drift }
  const refused = async (text: string, extra: Partial<NewBatchProps> = {}) => {
    c.set('flash', { kind: 'error', text })
    return renderPreview(c, f, { ...keep, ...extra }, 422)
  }
  if (drift === undefined) return refused('Nothing was changed.', { driftError: DRIFT_MESSAGE })
  const { change, errors } = await readChange(c, f)
  if (!change || Object.keys(errors).length > 0)
    return refused('Nothing was changed: choose the change again.')
  // --- issue 14: dual control — a bulk suspend becomes a request while the policy says so ---
  if (change.kind === 'suspend' && (await approvalFieldFor(c, 'tenant.bulk_suspend'))) {
    const input = await bulkSuspendApproval(c, f)
    if (Math.abs(input.change.count - f.previewed_count) > drift) {
      const text = `Nothing was sent: the count moved from ${f.previewed_count} to ${input.change.count} tenants, more than the ${drift} you accepted. Check the preview again.`
      return refused(text, { refusal: text })
    }
    const gated = await requestInsteadOfActing(c, input, '/batches', (approval) =>
      refused('Nothing was sent for approval: give a reason.', { approval }),
    )
    if (gated) return gated
  }
  // --- end dual control ---
  const result = await applyBatch(
    c.var.db,
    { ...auditContext(c), actor: { id: c.var.operator.id, email: c.var.operator.email } },
    {
      change,
      filter: f,
      scope: c.var.scope.filter,
      previewedCount: f.previewed_count,
      acceptedDrift: drift,
    },
    c.var.now(),
  )
  if (!result.ok && result.reason === 'drifted') {
    const text = `Nothing was changed: the count moved from ${result.previewed} to ${result.now} tenants, more than the ${drift} you accepted. Check the preview again.`
    return refused(text, { refusal: text })
  }
  if (!result.ok) return refused(`Nothing was changed (${result.reason.replaceAll('_', ' ')}).`)
  await setFlash(c, {
    kind: result.status === 'applied' ? 'success' : 'info',
    text:
      result.status === 'applied'
        ? 'Bulk change applied.'
        : 'Bulk change started; some tenants are not changed yet: continue it here.',
  })
  return redirectTo(c, `/batches/${result.batchId}`)
})

/** Loads the batch of `:id` or answers 404. */
async function batchOr404(c: Context<AppEnv>) {
  const batch = await findBatch(c.var.db, c.req.param('id') ?? '')
  if (!batch) throw new HTTPException(404, { message: 'No such bulk change.' })
  return batch
}

batchRoutes.get('/:id', requirePermission('saas.tenants.view'), async (c) => {
  const batch = await batchOr404(c)
  const { page } = pageQuery.parse(c.req.query())
  const db = c.var.db
  const [{ items, outcomes }, plans, rollbackBatchId] = await Promise.all([
    listBatchItems(db, batch.id, page, ITEMS_PER_PAGE),
    listPlansCached(db),
    findRollbackBatchId(db, batch.id),
  ])
  const mayAct = roleCan(c.var.operator.role, BULK_KIND_PERMISSION[batch.kind])
  return c.render(
    <BatchPage
      {...{ batch, items, outcomes, plans, page, perPage: ITEMS_PER_PAGE, rollbackBatchId, mayAct }}
    />,
    { title: 'Bulk change' },
  )
})

/** The batch's kind permission, then step-up when continuing a suspend batch. */
const batchKindAndStepUp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const batch = await batchOr404(c)
  requireKind(c, batch.kind)
  return kindNeedsStepUp(batch.kind) ? requireRecentTotp(c, next) : next()
}

/** The batch's kind permission, then step-up when the undo suspends or activates many tenants. */
const rollbackKindAndStepUp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const batch = await batchOr404(c)
  requireKind(c, batch.kind)
  return rollbackNeedsStepUp(batch.kind) ? requireRecentTotp(c, next) : next()
}

batchRoutes.post('/:id/continuation', requireSomeBulkKind, batchKindAndStepUp, async (c) => {
  const batch = await batchOr404(c)
  const result = await continueBatch(c.var.db, { ...auditContext(c) }, batch.id, c.var.now())
  await setFlash(
    c,
    result.ok
      ? {
          kind: 'success',
          text:
            result.status === 'applied'
              ? 'Bulk change applied.'
              : 'Some tenants are still pending.',
        }
      : { kind: 'error', text: 'This bulk change is not applying: nothing to continue.' },
  )
  return redirectTo(c, `/batches/${batch.id}`)
})

batchRoutes.post('/:id/rollback', requireSomeBulkKind, rollbackKindAndStepUp, async (c) => {
  const batch = await batchOr404(c)
  const result = await rollBackBatch(
    c.var.db,
    { ...auditContext(c), actor: { id: c.var.operator.id, email: c.var.operator.email } },
    batch.id,
    c.var.now(),
  )
  if (!result.ok)
    throw new HTTPException(409, {
      message:
        result.reason === 'already_rolled_back'
          ? 'This bulk change is already rolled back: nothing was changed.'
          : 'Only an applied bulk change can be rolled back: nothing was changed.',
    })
  await setFlash(c, {
    kind: 'success',
    text:
      result.status === 'rolled_back'
        ? 'Bulk change rolled back; tenants changed since were skipped (see below).'
        : 'Rollback started; some tenants are still pending: continue it here.',
  })
  return redirectTo(c, `/batches/${batch.id}`)
})
