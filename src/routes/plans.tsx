import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { listFeatureChoices, listIncludedFeatures } from '../db/plan-features.js'
import { countLiveTenantsByPlan } from '../db/plan-usage.js'
import { findPlan, listPlans, type Plan } from '../db/plans.js'
import { isUuid } from '../db/tenants.js'
import { createPlan, editPlan } from '../plans/plan-edits.js'
import {
  parsePlanForm,
  planFormValues,
  planToFormValues,
  type PlanFormValues,
} from '../plans/plan-form.js'
import { impactSignature, previewPlanImpact } from '../plans/plan-impact.js'
import { deletePlan, setPlanArchived } from '../plans/plan-lifecycle.js'
import { PlanFormPage, type PlanFormProps } from '../views/plans/plan-form-page.js'
import { PlanImpactPanel } from '../views/plans/plan-impact-panel.js'
import { PlansPage } from '../views/plans/plans-page.js'
import { roleCan } from '../auth/permissions.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { parsedForm } from '../web/form-body.js'
import { requirePermission } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'

// /plans (issue 9 item 1): every role reads the plans; owners and admins (saas.plans.edit)
// create, edit (with the impact on tenants shown before a tighter quota is saved), archive and
// delete them. Parsing lives in src/plans/plan-form.ts, writes in src/plans/ (audited verbs).

const view = requirePermission('saas.tenants.view')
const edit = requirePermission('saas.plans.edit')

export const planRoutes = new Hono<AppEnv>()

planRoutes.get('/', view, async (c) => {
  const db = c.var.db
  const [plans, features, tenants] = await Promise.all([
    listPlans(db),
    listIncludedFeatures(db),
    countLiveTenantsByPlan(db),
  ])
  const summaries = plans.map((plan) => ({
    plan,
    features: features.get(plan.id) ?? [],
    tenants: tenants.get(plan.id) ?? 0,
  }))
  const canEdit = roleCan(c.var.operator.role, 'saas.plans.edit')
  return c.render(<PlansPage plans={summaries} canEdit={canEdit} />, { title: 'Plans' })
})

/** The checked feature ids of a form post or a preview's query; a non-uuid one is malformed. */
function submittedFeatures(c: Context<AppEnv>): string[] {
  const form = parsedForm(c)
  const all = form ? form.getAll('features') : (c.req.queries('features') ?? [])
  const ids = all.filter((v): v is string => typeof v === 'string' && v !== '')
  if (ids.some((id) => !isUuid(id)))
    throw new HTTPException(400, { message: 'Malformed feature id; nothing was changed.' })
  return ids
}

async function planOr404(c: Context<AppEnv>): Promise<Plan> {
  const plan = await findPlan(c.var.db, c.req.param('id') ?? '')
  if (!plan) throw new HTTPException(404, { message: 'No such plan.' })
  return plan
}

async function renderForm(
  c: Context<AppEnv>,
  props: Omit<PlanFormProps, 'choices'>,
  status: 200 | 422 = 200,
) {
  const choices = await listFeatureChoices(c.var.db)
  c.status(status)
  const title = props.plan ? `Edit plan ${props.plan.name}` : 'New plan'
  return c.render(<PlanFormPage {...props} choices={choices} />, { title })
}

const NEW_PLAN: PlanFormValues = {
  ...planFormValues({ priceMonthly: '0', priceYearly: '0', currency: 'USD', isPublic: 'on' }, []),
}

planRoutes.get('/new', edit, (c) => renderForm(c, { values: NEW_PLAN, errors: {} }))

planRoutes.post('/', edit, async (c) => {
  const values = planFormValues(await formFields(c), submittedFeatures(c))
  const choices = await listFeatureChoices(c.var.db)
  const parsed = parsePlanForm(
    values,
    choices.map((f) => f.id),
    true,
  )
  if (!parsed.ok) return renderForm(c, { values, errors: parsed.errors }, 422)
  const input = { ...parsed.fields, featureIds: values.features }
  const result = await createPlan(c.var.db, auditContext(c), values.id, input, c.var.now())
  if (!result.ok)
    return renderForm(c, { values, errors: { id: 'A plan with this id already exists.' } }, 422)
  await setFlash(c, { kind: 'success', text: `Plan ${result.plan.name} created.` })
  return redirectTo(c, '/plans')
})

planRoutes.get('/:id', edit, async (c) => {
  const plan = await planOr404(c)
  const included = await listIncludedFeatures(c.var.db, plan.id)
  const choices = await listFeatureChoices(c.var.db)
  const keys = included.get(plan.id) ?? []
  const ids = choices.filter((f) => keys.includes(f.key)).map((f) => f.id)
  return renderForm(c, { plan, values: planToFormValues(plan, ids), errors: {} })
})

/** The impact fragment for the values being typed; reads only, whatever it is sent. */
planRoutes.get('/:id/impact', edit, async (c) => {
  const plan = await planOr404(c)
  const values = planFormValues(c.req.query(), submittedFeatures(c))
  const choices = await listFeatureChoices(c.var.db)
  const parsed = parsePlanForm(
    values,
    choices.map((f) => f.id),
    false,
  )
  if (!parsed.ok) return c.html(<PlanImpactPanel invalid />)
  const impact = await previewPlanImpact(c.var.db, plan, parsed.fields, c.var.now())
  const signature = impact.tightens ? impactSignature(parsed.fields) : undefined
  return c.html(<PlanImpactPanel impact={impact} signature={signature} />)
})

planRoutes.post('/:id', edit, async (c) => {
  const plan = await planOr404(c)
  const raw = await formFields(c)
  const values = planFormValues(raw, submittedFeatures(c))
  const choices = await listFeatureChoices(c.var.db)
  const parsed = parsePlanForm(
    values,
    choices.map((f) => f.id),
    false,
  )
  if (!parsed.ok) return renderForm(c, { plan, values, errors: parsed.errors }, 422)
  const impact = await previewPlanImpact(c.var.db, plan, parsed.fields, c.var.now())
  const signature = impactSignature(parsed.fields)
  // A tighter quota is saved only once its impact was shown for exactly these values.
  if (impact.tightens && raw.confirmImpact !== signature)
    return renderForm(c, { plan, values, errors: {}, impact, signature, held: true })
  const input = { ...parsed.fields, featureIds: values.features }
  const result = await editPlan(c.var.db, auditContext(c), plan.id, input, c.var.now())
  if (!result.ok) throw new HTTPException(404, { message: 'No such plan.' })
  const text = result.changed ? `Plan ${result.plan.name} saved.` : 'No changes to save.'
  await setFlash(c, { kind: result.changed ? 'success' : 'info', text })
  return redirectTo(c, '/plans')
})

planRoutes.delete('/:id', edit, async (c) => {
  const plan = await planOr404(c)
  const result = await deletePlan(c.var.db, auditContext(c), plan.id, c.var.now())
  if (result.ok) {
    await setFlash(c, { kind: 'success', text: `Plan ${plan.name} deleted.` })
    return redirectTo(c, '/plans')
  }
  if (result.reason === 'plan_not_found') throw new HTTPException(404, { message: 'No such plan.' })
  const n = result.tenants
  await setFlash(c, {
    kind: 'error',
    text: `Plan ${plan.name} was not deleted: ${n} tenant${n === 1 ? '' : 's'} (deleted ones included) hold it. Archive it instead, so it takes no new tenants.`,
  })
  return redirectTo(c, `/plans/${plan.id}`)
})

/** Archive (POST) or unarchive (DELETE) the plan; a flash says what happened either way. */
async function changeArchived(c: Context<AppEnv>, archive: boolean) {
  const plan = await planOr404(c)
  const result = await setPlanArchived(c.var.db, auditContext(c), plan.id, archive, c.var.now())
  if (!result.ok && result.reason === 'plan_not_found')
    throw new HTTPException(404, { message: 'No such plan.' })
  const text = !result.ok
    ? `Plan ${plan.name} is already ${archive ? 'archived' : 'not archived'}; nothing changed.`
    : archive
      ? `Plan ${plan.name} archived: its tenants keep it, and it is no longer offered.`
      : `Plan ${plan.name} unarchived: it is offered again.`
  await setFlash(c, { kind: result.ok ? 'success' : 'info', text })
  return redirectTo(c, `/plans/${plan.id}`)
}

planRoutes.post('/:id/archive', edit, (c) => changeArchived(c, true))
planRoutes.delete('/:id/archive', edit, (c) => changeArchived(c, false))
